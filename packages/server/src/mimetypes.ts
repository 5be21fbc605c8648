export type Storage = 'DicomResource' | 'ImageResource' | 'VideoResource' | 'NiftiResource' | 'FileResource';

export const NIFTI_TYPES: ReadonlySet<string> = new Set([
  'application/x-nifti',
  'application/nifti',
  'application/x-nifti-gz',
]);

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
