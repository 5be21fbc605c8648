import { isPng } from './image-header';

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

// Types a browser would run as a page or script when opening a download from this origin; stored
// content is served as plain bytes instead, whatever its uploader claimed.
const ACTIVE_TYPE =
  /^(text\/(html|xml|javascript|ecmascript|xsl)|application\/(xhtml\+xml|xml|javascript|ecmascript|x-javascript|wasm)|image\/svg\+xml|multipart\/)|\+xml\b/i;

/**
 * The Content-Type to serve a stored file with: its mimetype when it is a valid header value that
 * browsers do not execute, otherwise `application/octet-stream`.
 */
export function servedContentType(mimetype: string | null | undefined): string {
  return mimetype && isMediaType(mimetype) && !ACTIVE_TYPE.test(mimetype.trim())
    ? mimetype
    : 'application/octet-stream';
}

/** The type to store an accepted mask under, from its bytes: PNG masks are `image/png`, NIfTI ones bytes. */
export function maskMimetype(head: Uint8Array): string {
  return isPng(head) ? 'image/png' : 'application/octet-stream';
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
