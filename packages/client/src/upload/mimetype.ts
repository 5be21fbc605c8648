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

// Every file of an upload is sniffed: the checks compare bytes in place, without building strings,
// arrays or views for each file.
function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  for (let i = 0; i < signature.length; i++) if (bytes[offset + i] !== signature[i]) return false;
  return true;
}

/** True when the bytes at `offset` spell `text` (ASCII). */
function asciiAt(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

function int32(bytes: Uint8Array, offset: number, littleEndian: boolean): number | undefined {
  if (bytes.length < offset + 4) return undefined;
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  const b3 = bytes[offset + 3]!;
  return littleEndian ? (b3 << 24) | (b2 << 16) | (b1 << 8) | b0 : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
}

const PNG: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG: readonly number[] = [0xff, 0xd8, 0xff];
const TIFF_LE: readonly number[] = [0x49, 0x49, 0x2a, 0x00];
const TIFF_BE: readonly number[] = [0x4d, 0x4d, 0x00, 0x2a];
const WEBM: readonly number[] = [0x1a, 0x45, 0xdf, 0xa3];

export function isDicomPreamble(head: Uint8Array): boolean {
  return asciiAt(head, 128, 'DICM');
}

/** The type the leading bytes prove, or undefined. */
export function sniffMimetype(head: Uint8Array): string | undefined {
  if (isDicomPreamble(head)) return 'application/dicom';
  if (startsWith(head, PNG)) return 'image/png';
  if (startsWith(head, JPEG)) return 'image/jpeg';
  if (asciiAt(head, 0, 'GIF8')) return 'image/gif';
  if (startsWith(head, TIFF_LE) || startsWith(head, TIFF_BE)) return 'image/tiff';
  if (asciiAt(head, 4, 'ftyp')) return asciiAt(head, 8, 'qt  ') ? 'video/quicktime' : 'video/mp4';
  if (startsWith(head, WEBM)) return 'video/webm';
  if (asciiAt(head, 0, 'RIFF') && asciiAt(head, 8, 'AVI ')) return 'video/x-msvideo';
  for (const le of [true, false]) {
    if (int32(head, 0, le) === 348 && (asciiAt(head, 344, 'n+1\0') || asciiAt(head, 344, 'ni1\0'))) {
      return 'application/x-nifti';
    }
    if (int32(head, 0, le) === 540 && (asciiAt(head, 4, 'n+2\0') || asciiAt(head, 4, 'ni2\0'))) {
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
