export type Storage = 'DicomResource' | 'ImageResource' | 'VideoResource' | 'NiftiResource' | 'FileResource';

export const NIFTI_TYPES: ReadonlySet<string> = new Set([
  'application/x-nifti',
  'application/nifti',
  'application/x-nifti-gz',
]);

// RFC 6838 type/subtype names plus optional parameters, printable ASCII only: anything else would be
// rejected by Node as a Content-Type header value when the file is served back.
const MEDIA_TYPE = /^[A-Za-z0-9][\w!#$&^.+-]*\/[A-Za-z0-9][\w!#$&^.+-]*( *;[\x20-\x7e]*)?$/;

export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}

/** The Content-Type to serve a stored file with: its mimetype when it is a valid header value. */
export function servedContentType(mimetype: string | null | undefined): string {
  return mimetype && isMediaType(mimetype) ? mimetype : 'application/octet-stream';
}

/** Storage class of a resource (§3.1); `FileResource` for types the platform does not render. */
export function storageFor(mimetype: string | null, filename: string): Storage {
  const type = (mimetype ?? '').toLowerCase();
  if (type === 'application/dicom') return 'DicomResource';
  if (NIFTI_TYPES.has(type) || /\.nii(\.gz)?$/i.test(filename)) return 'NiftiResource';
  if (type.startsWith('image/')) return 'ImageResource';
  if (type.startsWith('video/')) return 'VideoResource';
  return 'FileResource';
}

export function looksLikeDicom(head: Uint8Array): boolean {
  return (
    head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d
  );
}
