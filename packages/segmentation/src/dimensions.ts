import { describeSource, MaskShapeError } from './errors';
import type { MaskVolume } from './volume';

/** The target resource's geometry, as DICOM names it; give only what you know. */
export interface MaskTarget {
  /** DICOM Rows (0028,0010): the mask's height. */
  rows?: number;
  /** DICOM Columns (0028,0011): the mask's width. */
  columns?: number;
  /** DICOM NumberOfFrames (0028,0008): the mask's frame count. Leave out for partial masks placed with frameIndex. */
  frames?: number;
}

/**
 * Throws MaskShapeError when the mask's height/width/frames differ from the target's Rows/Columns/
 * NumberOfFrames. When swapping width and height would fix it, the message says to flip `transpose`.
 */
export function checkMaskDimensions(volume: MaskVolume, target: MaskTarget, fileName?: string): void {
  const problems: string[] = [];
  if (target.rows !== undefined && volume.height !== target.rows) {
    problems.push(`height ${volume.height} != Rows ${target.rows}`);
  }
  if (target.columns !== undefined && volume.width !== target.columns) {
    problems.push(`width ${volume.width} != Columns ${target.columns}`);
  }
  if (target.frames !== undefined && volume.frames !== target.frames) {
    problems.push(`frames ${volume.frames} != NumberOfFrames ${target.frames}`);
  }
  if (problems.length === 0) return;
  const swapped =
    target.rows !== undefined &&
    target.columns !== undefined &&
    volume.width === target.rows &&
    volume.height === target.columns &&
    volume.width !== volume.height;
  const hint = swapped ? '; width and height are swapped: toggle the transpose option' : '';
  throw new MaskShapeError(
    `${describeSource(fileName)} (${volume.width} columns x ${volume.height} rows x ${volume.frames} frames) does not match the target resource: ${problems.join(', ')}${hint}`,
    { file: fileName, field: 'target', value: target },
  );
}
