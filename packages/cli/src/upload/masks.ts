import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isSystemFile, type SegmentationFiles } from '@datamint/client';
import { UsageError } from '../errors';
import { namesForMask, type SegmentationNames } from './segmentation-names';

/** The mask files `datamint-upload` attaches (volumes and per-frame PNGs). */
const MASK_FILE = /\.(nii|nii\.gz|png)$/i;

/** A file name without its mask extension: `Bones.nii.gz` → `Bones`, `img1.png` → `img1`. */
export function stemOf(path: string): string {
  const name = path.split(/[\\/]/).pop()!;
  return name.replace(/\.(nii\.gz|[^.]+)$/i, '');
}

function frameIndexOf(path: string): number | undefined {
  if (!/\.png$/i.test(path)) return undefined;
  const stem = stemOf(path);
  return /^\d+$/.test(stem) ? Number(stem) : undefined;
}

/**
 * The masks of a folder, in name order. System and hidden files are left out by the rule the upload
 * walk applies to images: macOS writes `._labels.png` beside `labels.png` on foreign disks, and that
 * resource fork is no mask.
 */
async function masksIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && MASK_FILE.test(e.name) && !isSystemFile(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

function commonAncestor(a: string, b: string): string {
  const pa = resolve(a).split(sep);
  const pb = resolve(b).split(sep);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join(sep) || sep;
}

/**
 * The folder `datamint-upload` looks in for an image's masks: the image's folder path below the
 * common ancestor, minus its first component, placed under the segmentation root.
 * `R/images/case1/img1.png` with root `R/segs` → `R/segs/case1`.
 */
export function maskFolderFor(imagePath: string, segmentationRoot: string): string {
  const imageDir = dirname(resolve(imagePath));
  const root = resolve(segmentationRoot);
  const ancestor = commonAncestor(imageDir, dirname(root));
  const below = relative(ancestor, imageDir).split(sep).filter(Boolean).slice(1);
  const first = relative(ancestor, root).split(sep).filter(Boolean)[0] ?? '';
  return join(ancestor, first, ...below);
}

/** Finds the masks of each image the plan meets; asked once per image by `planUpload`. */
export interface MaskLocator {
  /** The masks of one image, as `planUpload`'s `segmentationsBySource` takes them. */
  find: (image: string) => Promise<SegmentationFiles | undefined>;
  /** Images that were given masks (a single mask file may go to one image only). */
  readonly matched: () => number;
}

const NO_NAME_WARNING = 'no segmentation name from --segmentation-names occurs in';
// The client names an unnamed mask's labels over the whole mask (all frames of a volume), not per
// frame as the Python SDK does, so a label keeps one name on every slice of a NIfTI mask.
const NO_NAME_CONSEQUENCE =
  'its labels are named "seg" when it holds one label value, "seg_<value>" ("seg_1", "seg_2", …) when it holds several';
const NO_NAME_CONSEQUENCE_EACH =
  'each mask\'s labels are named "seg" when it holds one label value, "seg_<value>" ("seg_1", "seg_2", …) when it holds several';

/** The warning for unnamed masks: one naming the file, or one for the `count` unnamed masks of a folder. */
function noNameWarning(path: string, count: number): string {
  return count > 1
    ? `${NO_NAME_WARNING} the ${count} masks in ${dirname(path)}: ${NO_NAME_CONSEQUENCE_EACH}`
    : `${NO_NAME_WARNING} ${path}: ${NO_NAME_CONSEQUENCE}`;
}

/**
 * `--segmentation-path`: a single mask file (for a single image), or a root folder of masks laid
 * out like the images. A mask folder is searched first, then its sub-folder named after the image;
 * when the folder holds masks named like the image only those are taken, so a folder of per-image
 * masks does not give every image every mask.
 */
export async function maskLocator(
  segmentationPath: string,
  names: SegmentationNames | null,
  warn: (message: string) => void,
): Promise<MaskLocator> {
  const root = resolve(segmentationPath);
  const info = await stat(root).catch(() => undefined);
  if (!info) {
    throw new UsageError(`--segmentation-path not found: ${segmentationPath}`, '--segmentation-path');
  }
  let matched = 0;
  // Folders already warned about: the slices of a series each find their own mask in the same
  // folder, and one warning for the folder says it all.
  const warned = new Set<string>();
  const describe = async (paths: string[], relativeTo: string): Promise<SegmentationFiles> => {
    const labels = paths.map((path) => namesForMask(relative(relativeTo, path), names));
    for (const [i, path] of paths.entries()) {
      const folder = dirname(path);
      if (labels[i] !== undefined || warned.has(folder)) continue;
      warned.add(folder);
      const unnamed =
        paths.length === 1 && paths[0] === root
          ? [path]
          : (await masksIn(folder)).filter((m) => namesForMask(relative(relativeTo, m), names) === undefined);
      warn(noNameWarning(path, Math.max(unnamed.length, 1)));
    }
    return {
      files: paths,
      // Unnamed, as the Python tool leaves it: the client then names the labels `seg` / `seg_<value>`.
      names: labels.map((label) => label ?? undefined),
      frameIndex: paths.map(frameIndexOf),
    };
  };
  if (info.isFile()) {
    return {
      find: async () => {
        matched++;
        return describe([root], dirname(root));
      },
      matched: () => matched,
    };
  }
  return {
    find: async (image) => {
      const folder = maskFolderFor(image, root);
      let found = await masksIn(folder);
      const stem = stemOf(image);
      const sameName = found.filter((m) => stemOf(m) === stem);
      if (sameName.length) found = sameName;
      if (!found.length) found = await masksIn(join(folder, stem));
      if (!found.length) return undefined;
      matched++;
      return describe(found, root);
    },
    matched: () => matched,
  };
}
