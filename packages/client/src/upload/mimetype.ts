/**
 * Mimetype by content first, then by a fixed extension table (never the OS mime database, so the
 * result is the same on every machine; http-api.md §8 #19).
 */

const BY_EXTENSION: Record<string, string> = {
  '.dcm': 'application/dicom',
  '.dicom': 'application/dicom',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.avi': 'video/x-msvideo',
  '.nii': 'application/x-nifti',
  '.nii.gz': 'application/x-nifti',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.zip': 'application/zip',
};

/** How many leading bytes {@link sniffMimetype} looks at. */
export const SNIFF_BYTES = 544;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function int32(bytes: Uint8Array, offset: number, littleEndian: boolean): number | undefined {
  if (bytes.length < offset + 4) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(offset, littleEndian);
}

export function isDicomPreamble(head: Uint8Array): boolean {
  return ascii(head, 128, 4) === 'DICM';
}

/** The type the leading bytes prove, or undefined. */
export function sniffMimetype(head: Uint8Array): string | undefined {
  if (isDicomPreamble(head)) return 'application/dicom';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(head, 0, 4) === 'GIF8') return 'image/gif';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'image/tiff';
  }
  if (ascii(head, 4, 4) === 'ftyp') return ascii(head, 8, 4) === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'AVI ') return 'video/x-msvideo';
  for (const le of [true, false]) {
    if (int32(head, 0, le) === 348 && ['n+1\0', 'ni1\0'].includes(ascii(head, 344, 4))) {
      return 'application/x-nifti';
    }
    if (int32(head, 0, le) === 540 && ['n+2\0', 'ni2\0'].includes(ascii(head, 4, 4))) {
      return 'application/x-nifti';
    }
  }
  return undefined;
}

export function mimetypeByName(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.nii.gz')) return BY_EXTENSION['.nii.gz'];
  const dot = lower.lastIndexOf('.');
  if (dot < 0 || dot < lower.lastIndexOf('/')) return undefined;
  return BY_EXTENSION[lower.slice(dot)];
}

/**
 * Explicit > content (`sniffed`, from {@link sniffMimetype}) > extension; `undefined` when nothing
 * applies (sent as octet-stream).
 */
export function resolveMimetype(
  sniffed: string | undefined,
  name: string,
  explicit?: string,
): string | undefined {
  return explicit ?? sniffed ?? mimetypeByName(name);
}
