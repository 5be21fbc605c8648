import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors';
import { fileExtension } from './extensions';
import { type MaskNames, namesForMask, type SegmentationNames } from './names';

export interface DiscoveredMask {
  /** Absolute path of the mask file (.nii, .nii.gz or .png). */
  path: string;
  /** Frame of the image the mask belongs to: `<n>.png` → n; volumes and other PNGs → null. */
  frameIndex: number | null;
  names: MaskNames;
}

export interface MaskWarning {
  path: string;
  message: string;
}

const MASK_EXTENSIONS = new Set(['nii', 'nii.gz', 'png']);

export function stemOf(path: string): string {
  const name = path.split(/[\\/]/).pop()!;
  const ext = fileExtension(name);
  return ext ? name.slice(0, name.length - ext.length - 1) : name;
}

function frameIndexOf(path: string): number | null {
  if (fileExtension(path) !== 'png') return null;
  const stem = stemOf(path);
  return /^\d+$/.test(stem) ? Number(stem) : null;
}

async function masksIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && MASK_EXTENSIONS.has(fileExtension(e.name)))
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
 * The folder `datamint-upload` looks in for an image's masks (http-api.md §6.1.3): the image's
 * folder path below the common ancestor, minus its first component, placed under the segmentation
 * root. `R/images/case1/img1.png` with root `R/segs` → `R/segs/case1`.
 */
export function maskFolderFor(imagePath: string, segmentationRoot: string): string {
  const imageDir = dirname(resolve(imagePath));
  const root = resolve(segmentationRoot);
  const ancestor = commonAncestor(imageDir, dirname(root));
  const below = relative(ancestor, imageDir).split(sep).filter(Boolean).slice(1);
  const first = relative(ancestor, root).split(sep).filter(Boolean)[0] ?? '';
  return join(ancestor, first, ...below);
}

/**
 * Finds each image's masks. A mask folder is searched first, then its sub-folder named after the
 * image; when the folder holds masks named like the image (`case1/img1.png` for `img1.png`) only
 * those are taken, so a folder of per-image masks no longer gives every image every mask.
 */
export async function findSegmentations(
  images: readonly string[],
  segmentationPath: string,
  names: SegmentationNames | null,
): Promise<{ masks: Map<string, DiscoveredMask[]>; warnings: MaskWarning[] }> {
  const root = resolve(segmentationPath);
  const info = await stat(root).catch(() => undefined);
  if (!info)
    throw new UsageError(`--segmentation-path not found: ${segmentationPath}`, '--segmentation-path');
  const masks = new Map<string, DiscoveredMask[]>();
  const warnings: MaskWarning[] = [];

  const describe = (path: string, relativeTo: string): DiscoveredMask => {
    const label = namesForMask(relative(relativeTo, path), names);
    if (label === undefined) {
      warnings.push({ path, message: `no segmentation name from --segmentation-names occurs in ${path}` });
    }
    return { path, frameIndex: frameIndexOf(path), names: label ?? null };
  };

  if (info.isFile()) {
    if (images.length !== 1) {
      throw new UsageError(
        `--segmentation-path ${segmentationPath} is a single file, which only works with a single image (got ${images.length})`,
        '--segmentation-path',
      );
    }
    masks.set(images[0]!, [describe(root, dirname(root))]);
    return { masks, warnings };
  }

  for (const image of images) {
    const folder = maskFolderFor(image, root);
    let found = await masksIn(folder);
    const stem = stemOf(image);
    const sameName = found.filter((m) => stemOf(m) === stem);
    if (sameName.length) found = sameName;
    if (!found.length) found = await masksIn(join(folder, stem));
    if (found.length)
      masks.set(
        image,
        found.map((m) => describe(m, root)),
      );
  }
  return { masks, warnings };
}
