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
  return sanitiseFileName(lastPathComponent(name));
}

/** Longest stored file name in UTF-8 bytes: what common file systems allow for one path component. */
export const MAX_FILENAME_BYTES = 255;

/**
 * A file name safe to store and to send back in a Content-Disposition header: control characters
 * (NUL, CR, LF...) removed, because HTTP clients refuse headers holding them, and cut to 255 UTF-8
 * bytes keeping the extension (`.nii.gz` counts as one), because undici and urllib refuse very long
 * header values.
 */
export function sanitiseFileName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '');
  if (Buffer.byteLength(clean, 'utf8') <= MAX_FILENAME_BYTES) return clean;
  const ext = /(\.[A-Za-z0-9]{1,8}){1,2}$/.exec(clean)?.[0] ?? '';
  let stem = Array.from(clean.slice(0, clean.length - ext.length));
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + ext, 'utf8') > MAX_FILENAME_BYTES) {
    stem = stem.slice(0, Math.max(0, stem.length - Math.max(1, stem.length >> 4)));
  }
  return stem.join('') + ext;
}

export function lastPathComponent(path: string): string {
  const parts = path.split(/[\\/]/);
  const last = parts[parts.length - 1] ?? '';
  return last === '.' || last === '..' ? '' : last;
}
