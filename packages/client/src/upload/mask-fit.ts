import { mapSettled } from '@datamint/core';
import { MaskError, type MaskGeometry, maskGeometry } from '@datamint/segmentation';
import { loadMask, type SegmentationInput } from '../segmentations';
import { memoryContent } from './content';
import type { ImageGeometry } from './dicom-head';
import { pathContent } from './file-content';
import { headerBytes } from './leading-bytes';
import { throwIfAborted } from './pacer';
import type { PlannedUnit } from './plan-types';
import type { SegmentationTask } from './segmentation-tasks';
import { DICOM_MIMETYPE } from './upload-errors';

/** Why a mask cannot be attached to the image it was planned with. */
export class MaskMisfit {
  constructor(readonly message: string) {}
}

function describeMask(input: SegmentationInput): string {
  return typeof input === 'string' ? input : input instanceof Uint8Array ? 'mask bytes' : 'mask array';
}

/**
 * The size a mask will have when it is read for sending, from its header (or an array's shape).
 * Returns a {@link MaskMisfit} when the mask cannot be read or is not a PNG or NIfTI file.
 */
export async function readMaskGeometry(
  input: SegmentationInput,
  transpose: boolean,
): Promise<MaskGeometry | MaskMisfit> {
  const name = describeMask(input);
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    const [height, width, frames = 1] = input.shape;
    return transpose ? { width: height, height: width, frames } : { width, height, frames };
  }
  let head: Uint8Array;
  try {
    head = await headerBytes(typeof input === 'string' ? pathContent(input) : memoryContent(input));
  } catch (error) {
    return new MaskMisfit(`mask ${name} cannot be read: ${(error as Error).message}`);
  }
  try {
    return (
      maskGeometry(head, transpose, name) ??
      new MaskMisfit(`mask ${name} is neither a PNG nor a NIfTI file (or its header is cut short)`)
    );
  } catch (error) {
    if (error instanceof MaskError) return new MaskMisfit(`mask ${name} cannot be read: ${error.message}`);
    throw error;
  }
}

/**
 * Why `frameIndex` cannot place a mask of `frames` frames, as the upload would find after creating
 * the resource (one target per mask frame, a single number only for a one-frame mask).
 */
function frameIndexProblem(frameIndex: SegmentationTask['frameIndex'], frames: number): string | undefined {
  if (frameIndex === undefined) return undefined;
  const targets = typeof frameIndex === 'number' ? [frameIndex] : frameIndex;
  if (typeof frameIndex === 'number' && frames !== 1) {
    return `frameIndex is the single number ${frameIndex} but the mask has ${frames} frames`;
  }
  if (targets.length !== frames) {
    return `frameIndex has ${targets.length} entries but the mask has ${frames} frames`;
  }
  const bad = targets.find((t) => !Number.isInteger(t) || t < 0);
  return bad === undefined ? undefined : `frameIndex holds ${bad}, not a frame number`;
}

/** The frames a mask's first `frames` frames will be placed on, as the upload places them. */
function targetsOf(task: SegmentationTask, mask: MaskGeometry, frames: number): number[] {
  if (typeof task.frameIndex === 'number') return [task.frameIndex];
  if (task.frameIndex !== undefined) return [...task.frameIndex].slice(0, frames);
  if (task.memberFrame !== undefined && mask.frames === 1) return [task.memberFrame];
  return Array.from({ length: frames }, (_, i) => i);
}

/**
 * Why `mask` does not fit `image`, or `undefined` when it does: its frames must be as large as the
 * image's and land on frames the image has. `labelledFrames`, when known, is how many of the mask's
 * frames count: up to its last frame holding a label, since empty frames are not sent. The server
 * refuses a mask of another size only after the resource exists, and accepts annotations on frames
 * the resource does not have; found here, the image is not uploaded without its mask.
 */
export function maskMisfit(
  unit: Pick<PlannedUnit, 'kind' | 'mimetype'>,
  image: ImageGeometry,
  mask: MaskGeometry,
  task: SegmentationTask,
  labelledFrames = mask.frames,
): string | undefined {
  const name = describeMask(task.input);
  const target = unit.kind === 'series' ? `the assembled series (${image.frames} frames)` : 'the image';
  if (mask.width !== image.columns || mask.height !== image.rows) {
    const swapped = mask.width === image.rows && mask.height === image.columns;
    const hint = swapped
      ? '; width and height are swapped: toggle the transpose option (transposeSegmentation, --transpose-segmentation)'
      : '';
    return `mask ${name} is ${mask.width} x ${mask.height} (columns x rows) but ${target} is ${image.columns} x ${image.rows}${hint}`;
  }
  const shape = frameIndexProblem(task.frameIndex, mask.frames);
  if (shape) return `mask ${name}: ${shape}`;
  const beyond = targetsOf(task, mask, labelledFrames).find((f) => f >= image.frames);
  if (beyond === undefined) return undefined;
  if (task.frameIndex !== undefined) {
    return `mask ${name} is placed on frame ${beyond}, but ${target} has ${image.frames} frame${image.frames === 1 ? '' : 's'}`;
  }
  // A volume mask found for each slice of a series uploaded slice by slice (assembly turned off).
  const slice =
    unit.kind === 'file' && unit.mimetype === DICOM_MIMETYPE && image.frames === 1
      ? ': a volume mask goes with its whole series, assembled into one resource, not with one slice'
      : '';
  return `mask ${name} has labels on ${labelledFrames} frames but ${target} has ${image.frames}${slice}`;
}

/** How many of a mask's frames count: up to and including the last one holding a label. */
async function labelledFrameCount(input: SegmentationInput, transpose: boolean): Promise<number> {
  const volume = await loadMask(input, transpose);
  for (let k = volume.frames - 1; k >= 0; k--) if (volume.frame(k).data.some((v) => v !== 0)) return k + 1;
  return 0;
}

/**
 * Checks every mask of the units against its image, reading each mask's header once (several at a
 * time). Returns the units whose masks all fit and, for the others, the reason (the first misfit).
 * A mask with more frames than its image is read whole, since frames without labels are not sent.
 * Units whose image size is unknown (types other than DICOM, PNG and NIfTI) are kept: the server
 * judges them.
 */
export async function fitMasks(
  units: readonly PlannedUnit[],
  imageOf: (unit: PlannedUnit) => ImageGeometry | undefined,
  options: { transpose: boolean; concurrency: number; signal?: AbortSignal },
): Promise<{ fitting: PlannedUnit[]; misfits: { unit: PlannedUnit; reason: string }[] }> {
  const { transpose } = options;
  // A volume mask found next to every slice is read once.
  const inputs = [...new Set(units.flatMap((u) => u.segmentations.map((t) => t.input)))];
  const settled = await mapSettled(
    inputs,
    options.concurrency,
    (input) => readMaskGeometry(input, transpose),
    {
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  throwIfAborted(options.signal);
  const geometries = new Map<SegmentationInput, MaskGeometry | MaskMisfit>();
  inputs.forEach((input, i) => {
    const result = settled[i]!;
    const why = result.ok ? undefined : (result.error as Error).message;
    geometries.set(
      input,
      result.ok ? result.value : new MaskMisfit(`mask ${describeMask(input)} cannot be read: ${why}`),
    );
  });
  const labelled = new Map<SegmentationInput, Promise<number>>();
  const fitting: PlannedUnit[] = [];
  const misfits: { unit: PlannedUnit; reason: string }[] = [];
  for (const unit of units) {
    let reason: string | undefined;
    const image = unit.segmentations.length ? imageOf(unit) : undefined;
    for (const task of unit.segmentations) {
      const mask = geometries.get(task.input)!;
      if (mask instanceof MaskMisfit) reason = mask.message;
      else if (image) {
        reason = maskMisfit(unit, image, mask, task);
        if (
          reason &&
          mask.frames > image.frames &&
          mask.width === image.columns &&
          mask.height === image.rows
        ) {
          let count = labelled.get(task.input);
          if (!count) {
            count = labelledFrameCount(task.input, transpose);
            labelled.set(task.input, count);
          }
          try {
            reason = maskMisfit(unit, image, mask, task, await count);
          } catch (error) {
            reason = `mask ${describeMask(task.input)} cannot be read: ${(error as Error).message}`;
          }
        }
      }
      if (reason) break;
    }
    if (reason) misfits.push({ unit, reason });
    else fitting.push(unit);
  }
  return { fitting, misfits };
}
