/**
 * Which file name extensions go with which mimetypes, in both directions: uploads guess a type from
 * a name, downloads name a file after its type. Fixed tables, never the OS mime database, so the
 * result is the same on every machine.
 */

/** The type an extension implies (lower case, with the dot; `.nii.gz` is one extension). */
const MIMETYPE_OF_EXTENSION: Readonly<Record<string, string>> = {
  '.dcm': 'application/dicom',
  '.dicom': 'application/dicom',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
  '.jp2': 'image/jp2',
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

/** The extension a downloaded file of a type gets when its name has none that fits. */
const EXTENSION_OF_MIMETYPE: Readonly<Record<string, string>> = {
  'application/dicom': '.dcm',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/tiff': '.tiff',
  'image/bmp': '.bmp',
  'image/gif': '.gif',
  'image/jp2': '.jp2',
  'video/mp4': '.mp4',
  'video/webm': '.webm',
  'video/x-msvideo': '.avi',
  'video/quicktime': '.mov',
  'application/json': '.json',
  'application/octet-stream': '.bin',
  'application/x-nifti': '.nii',
  'application/nifti': '.nii',
  'image/nifti': '.nii',
  'application/zip': '.zip',
  'text/plain': '.txt',
  'text/csv': '.csv',
};

/** `image/PNG; charset=x` → `image/png`. */
function essence(mimetype: string): string {
  return mimetype.split(';')[0]!.trim().toLowerCase();
}

/** The file's extension as the tables key it (`.nii.gz` whole), or undefined when it has none. */
function extensionOf(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.nii.gz')) return '.nii.gz';
  const dot = lower.lastIndexOf('.');
  if (dot < 0 || dot < lower.lastIndexOf('/')) return undefined;
  return lower.slice(dot);
}

/** The type a file name's extension implies, or undefined. */
export function mimetypeByName(name: string): string | undefined {
  const extension = extensionOf(name);
  return extension === undefined ? undefined : MIMETYPE_OF_EXTENSION[extension];
}

/** The extension (with its dot) a file of this type is saved with, or undefined for unknown types. */
export function extensionFor(mimetype: string | null | undefined): string | undefined {
  if (!mimetype) return undefined;
  return EXTENSION_OF_MIMETYPE[essence(mimetype)];
}

/**
 * The name a downloaded file is saved under: `name` as it is when its extension already fits the
 * type (`x.jpeg` and `x.jpg` for JPEG, `scan.nii.gz` for NIfTI), or when the type says nothing
 * (`application/octet-stream`, or none) and the name has an extension of its own (`label.nrrd`);
 * otherwise `name` with the type's extension added (`1.2.840.10008.5` → `1.2.840.10008.5.dcm`).
 */
export function downloadFileName(name: string, mimetype: string | null | undefined): string {
  const extension = extensionOf(name);
  const type = mimetype ? essence(mimetype) : 'application/octet-stream';
  if (extension !== undefined) {
    const implied = MIMETYPE_OF_EXTENSION[extension];
    if (implied === type || (implied === 'application/x-nifti' && extensionFor(type) === '.nii')) return name;
    if (type === 'application/octet-stream') return name;
  }
  const added = extensionFor(type);
  return added ? name + added : name;
}
