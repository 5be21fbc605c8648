/**
 * Recovers a file name from a multipart `filename` parameter. aiohttp (the Python SDK) percent-encodes
 * every byte outside `A-Za-z0-9_.-~`; browsers and undici send raw UTF-8. Decode `%XX` when the result
 * is valid UTF-8, otherwise keep the raw text. Only the last path component is kept.
 */
export function decodeMultipartFilename(raw: string | undefined): string {
  if (!raw) return '';
  let name = raw;
  if (/%[0-9a-f]{2}/i.test(raw)) {
    try {
      name = decodeURIComponent(raw);
    } catch {
      name = raw;
    }
  }
  return lastPathComponent(name);
}

export function lastPathComponent(path: string): string {
  const parts = path.split(/[\\/]/);
  const last = parts[parts.length - 1] ?? '';
  return last === '.' || last === '..' ? '' : last;
}
