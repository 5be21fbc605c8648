import { randomBytes } from 'node:crypto';

export interface RawPart {
  name: string;
  value: string | Uint8Array;
  contentType?: string;
  filename?: string;
}

/** aiohttp's "nothing is safe" percent-encoding of multipart file names (spec §1.6). */
export function aiohttpQuote(name: string): string {
  return Array.from(Buffer.from(name, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_.\-~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * Builds a multipart body byte for byte like the Python SDK's aiohttp FormData: each part's
 * Content-Type comes before its Content-Disposition, text parts are `text/plain; charset=utf-8`.
 */
export function aiohttpMultipart(parts: RawPart[]): { body: Buffer; contentType: string } {
  const boundary = randomBytes(16).toString('hex');
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const type =
      part.contentType ??
      (typeof part.value === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    const filename = part.filename === undefined ? '' : `; filename="${aiohttpQuote(part.filename)}"`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${type}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n\r\n`,
      ),
    );
    chunks.push(typeof part.value === 'string' ? Buffer.from(part.value, 'utf8') : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
