// What a drop of files becomes, decided before anything is read in full or sent: which files are
// masks of which image, which are skipped and why. Pure, so the page renders it and tests check it.

/** A dropped or chosen file, by its path inside the drop (folder/sub/name.ext). */
export interface DroppedFile {
  path: string;
  size: number;
}

/** A file that will be uploaded on its own (DICOM series are grouped later, from their headers). */
export interface PlannedFile {
  path: string;
  size: number;
  /** Masks to attach to the resource this file becomes. */
  masks: string[];
}

/** A file that is not uploaded, with the reason shown to the user. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** The file-level plan of one drop. */
export interface DropPlan {
  files: PlannedFile[];
  skipped: SkippedFile[];
}

const SYSTEM_FILES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini', '.directory']);
const MASK_FOLDERS = new Set(['masks', 'mask', 'segmentations', 'segmentation', 'labels']);
const MASK_SUFFIX = /[._-](mask|seg|label|labels|segmentation)$/i;
const MASK_EXTENSIONS = /\.(png|nii\.gz|nii)$/i;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parentFolder(path: string): string {
  const parts = path.split('/');
  return parts.length > 1 ? (parts[parts.length - 2] ?? '') : '';
}

/** The name without its extension (`.nii.gz` counts as one). */
export function stemOf(path: string): string {
  return baseName(path)
    .replace(/\.nii\.gz$/i, '')
    .replace(/\.[^.]*$/, '');
}

/** Hidden files and the files operating systems leave in folders. */
export function isSystemFile(path: string): boolean {
  const name = baseName(path);
  return name.startsWith('.') || name.startsWith('._') || SYSTEM_FILES.has(name.toLowerCase());
}

/**
 * A mask is a PNG or NIfTI file named `<image>_mask` (also `-mask`, `.mask`, `_seg`, `_label`,
 * `_segmentation`) or inside a `masks`/`segmentations`/`labels` folder; its image is the file with the
 * same stem. Returns that stem, or `undefined` for ordinary files.
 */
export function maskTargetStem(path: string): string | undefined {
  if (!MASK_EXTENSIONS.test(path)) return undefined;
  const stem = stemOf(path);
  if (MASK_SUFFIX.test(stem)) return stem.replace(MASK_SUFFIX, '').toLowerCase();
  if (MASK_FOLDERS.has(parentFolder(path).toLowerCase())) return stem.toLowerCase();
  return undefined;
}

/** Splits a drop into files to upload (with their masks) and skipped files. */
export function planDrop(files: readonly DroppedFile[]): DropPlan {
  const skipped: SkippedFile[] = [];
  const masks: DroppedFile[] = [];
  const uploads: PlannedFile[] = [];
  for (const file of files) {
    if (isSystemFile(file.path)) skipped.push({ path: file.path, reason: 'system or hidden file' });
    else if (file.size === 0) skipped.push({ path: file.path, reason: 'empty file' });
    else if (maskTargetStem(file.path) !== undefined) masks.push(file);
    else uploads.push({ path: file.path, size: file.size, masks: [] });
  }
  const byStem = new Map<string, PlannedFile[]>();
  for (const u of uploads) {
    const stem = stemOf(u.path).toLowerCase();
    byStem.set(stem, [...(byStem.get(stem) ?? []), u]);
  }
  for (const mask of masks) {
    const candidates = byStem.get(maskTargetStem(mask.path) ?? '') ?? [];
    if (candidates.length === 1) candidates[0]?.masks.push(mask.path);
    else if (candidates.length === 0)
      skipped.push({ path: mask.path, reason: 'mask without a matching image' });
    else skipped.push({ path: mask.path, reason: `mask matches ${candidates.length} images; rename one` });
  }
  return { files: uploads, skipped };
}
