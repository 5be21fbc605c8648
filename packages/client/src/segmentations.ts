import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { APIUserAbortError, DatamintException, FormData, multipartFileName } from '@datamint/core';
import {
  encodeMaskPng,
  type LabelMask,
  type LabelNames,
  MaskError,
  MaskVolume,
  maskFromArray,
  type NumericArray,
  readMask,
  splitLabels,
} from '@datamint/segmentation';
import { createAnnotations } from './annotations';
import {
  type CallOptions,
  callOpts,
  type HandlerContext,
  pathSegment,
  relabelNotFound,
  requireString,
} from './context';
import { ValidationError } from './errors';

/**
 * The client only runs in Node, where zlib is several times faster than the portable fflate
 * inflater @datamint/segmentation uses by default; zlib verifies the gzip CRC and length itself.
 */
const nodeGunzip = (gzip: Uint8Array): Uint8Array => new Uint8Array(gunzipSync(gzip));

/** A mask array: row-major, shape `[H, W]` or `[H, W, F]` (frames last, like the Python numpy input). */
export interface MaskArray {
  /** Label values in row-major order of `shape` (the last axis varies fastest). */
  data: NumericArray;
  /** `[height, width]` or `[height, width, frames]`; its product must equal `data.length`. */
  shape: readonly [number, number] | readonly [number, number, number];
}

/** A PNG or NIfTI (.nii/.nii.gz) path or its bytes, or a {@link MaskArray}. */
export type SegmentationInput = string | Uint8Array | MaskArray;

export interface UploadSegmentationsOptions extends CallOptions {
  /**
   * One name, or a `{ value: name }` map with an optional `default` prefix. A name is bare on a frame
   * holding one label and `<name>_<value>` on a frame holding several (Python parity). Without a name,
   * labels are named over the whole mask, not per frame: `seg` on every frame when the mask holds one
   * label value, else `seg_<value>` on every frame. (Python names each frame on its own, so a volume
   * with label 1 on some slices and label 2 on others would be `seg` throughout.)
   */
  name?: LabelNames;
  /** Resource frame of each mask frame (length = mask frames), or one number for a one-frame mask. */
  frameIndex?: number | readonly number[];
  /**
   * Without `name`: label values of the resource's other masks, named together with this mask's own,
   * so a value gets one name on every mask of the resource (uploads pass it for the one-slice masks
   * of a series). Ignored when `name` is given.
   */
  unnamedAlongside?: Iterable<number>;
  /** Where the masks came from (a tool or file name), sent as `imported_from`. */
  importedFrom?: string;
  /** Author to record instead of the key's user (admin keys only). */
  authorEmail?: string;
  /** Skip frames without any label (default true). */
  discardEmptySegmentations?: boolean;
  /** The annotation worklist to attach them to. */
  worklistId?: string;
  /** The model that made them: they are then recorded as model annotations. */
  modelId?: string;
  /** Python's `transpose_segmentation` (for NIfTI its meaning is inverted, as in Python). */
  transposeSegmentation?: boolean;
  /** Frames sent at once (default: the handler's concurrency). */
  concurrency?: number;
}

/** A segmentation input could not be read or does not fit (bad format, shape or names). */
export class SegmentationError extends DatamintException {
  override name = 'SegmentationError';
  /** The option at fault (`name`, `frameIndex`, ...), when one is. */
  readonly field: string | undefined;
  constructor(message: string, cause?: unknown, field?: string) {
    super(message, { cause });
    this.field = field;
  }
}

function isMaskArray(value: unknown): value is MaskArray {
  return !!value && typeof value === 'object' && 'data' in value && 'shape' in value;
}

export async function loadMask(input: SegmentationInput, transpose: boolean): Promise<MaskVolume> {
  const describe =
    typeof input === 'string' ? input : input instanceof Uint8Array ? 'mask bytes' : 'mask array';
  try {
    if (typeof input === 'string') {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(input));
      } catch (error) {
        throw new SegmentationError(
          `Cannot read segmentation file ${input}: ${(error as Error).message}`,
          error,
        );
      }
      return readMask(bytes, { fileName: input, transpose, gunzip: nodeGunzip });
    }
    if (input instanceof Uint8Array) return readMask(input, { transpose, gunzip: nodeGunzip });
    if (isMaskArray(input)) return maskFromArray(input.data, input.shape, { transpose, name: 'mask array' });
  } catch (error) {
    if (error instanceof MaskError) {
      throw new SegmentationError(`Invalid segmentation (${describe}): ${error.message}`, error);
    }
    throw error;
  }
  throw new ValidationError('file', input, 'a PNG/NIfTI path, its bytes, or { data, shape }');
}

/** Groups the lazily split masks by frame (items of one frame are consecutive). */
function* byFrame(items: Iterator<LabelMask>): Generator<LabelMask[], void, undefined> {
  let current: LabelMask[] = [];
  for (let next = items.next(); !next.done; next = items.next()) {
    if (current.length > 0 && current[0]!.sourceFrame !== next.value.sourceFrame) {
      yield current;
      current = [];
    }
    current.push(next.value);
  }
  if (current.length > 0) yield current;
}

/**
 * How masks go on the wire: the 1.x clients send RGB PNGs and no `source`; the current platform's
 * clients send grayscale PNGs and `source`.
 */
export interface MaskWire {
  /** Colour type of the uploaded 0/255 PNGs. */
  colour: 'rgb' | 'gray';
  /** Sent as each annotation's `source`, when set. */
  source?: string;
}

const V1_WIRE: MaskWire = { colour: 'rgb' };

async function uploadFrame(
  ctx: HandlerContext,
  resourceId: string,
  masks: LabelMask[],
  options: UploadSegmentationsOptions | undefined,
  wire: MaskWire,
): Promise<string[]> {
  // A frame kept by `discardEmptySegmentations: false` has only the value-0 placeholder: Python
  // POSTs an empty list for it; sending nothing has the same effect.
  const labelled = masks.filter((m) => m.value !== 0);
  if (labelled.length === 0) return [];
  // The annotation DTO drops unset keys (http-api.md §5.6).
  const items = labelled.map((m) => {
    const item: Record<string, unknown> = {
      type: 'segmentation',
      identifier: m.identifier,
      scope: 'frame',
      frame_index: m.frame,
    };
    if (options?.worklistId !== undefined) item.annotation_worklist_id = options.worklistId;
    if (options?.importedFrom !== undefined) item.imported_from = options.importedFrom;
    if (options?.authorEmail !== undefined) item.import_author = options.authorEmail;
    if (options?.modelId !== undefined) {
      item.is_model = true;
      item.model_id = options.modelId;
    }
    if (wire.source !== undefined) item.source = wire.source;
    return item;
  });
  const ids = await createAnnotations(ctx, resourceId, items, options);
  for (let i = 0; i < labelled.length; i++) {
    const mask = labelled[i]!;
    const form = new FormData();
    const png = encodeMaskPng(mask.mask, { colour: wire.colour });
    form.append(
      'file',
      new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
      multipartFileName(mask.identifier),
    );
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'POST',
          path: `annotations/${pathSegment(resourceId, 'resourceId')}/annotations/${pathSegment(ids[i], 'annotation id')}/file`,
          body: form,
          // Attaching the same mask again replaces it: safe to repeat.
          retrySafe: true,
          ...callOpts(options),
        }),
      'annotation',
      { resource_id: resourceId, annotation_id: ids[i] },
    );
  }
  return ids;
}

/**
 * Creates one segmentation annotation per label and frame and attaches its mask PNG. Frames are
 * sent with bounded concurrency; masks are split lazily, so a big volume is never held as PNGs.
 * Identifiers follow `splitLabels`: an unnamed mask's labels are named over the whole volume (its
 * distinct label values, from the scan of the label array splitLabels makes before the first mask),
 * so each label keeps one name on every slice. Returns the new annotation ids in frame order, then
 * label order.
 */
export async function uploadSegmentations(
  ctx: HandlerContext,
  resourceId: string,
  input: SegmentationInput | MaskVolume,
  options?: UploadSegmentationsOptions,
  /** Frame for a one-frame mask given without `frameIndex` (a slice's mask on an assembled series). */
  singleFrameAt?: number,
  wire: MaskWire = V1_WIRE,
): Promise<string[]> {
  requireString(resourceId, 'resourceId');
  const concurrency = options?.concurrency ?? ctx.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError('concurrency', concurrency, 'an integer >= 1');
  }
  const volume =
    input instanceof MaskVolume ? input : await loadMask(input, options?.transposeSegmentation ?? false);
  const frameIndex =
    options?.frameIndex ?? (singleFrameAt !== undefined && volume.frames === 1 ? singleFrameAt : undefined);
  let frames: Generator<LabelMask[], void, undefined>;
  try {
    const split = splitLabels(volume, {
      ...(options?.name !== undefined ? { names: options.name } : {}),
      ...(frameIndex !== undefined ? { frameIndex } : {}),
      discardEmpty: options?.discardEmptySegmentations ?? true,
      ...(options?.unnamedAlongside !== undefined ? { unnamedAlongside: options.unnamedAlongside } : {}),
    });
    frames = byFrame(split);
  } catch (error) {
    if (error instanceof MaskError) {
      throw new SegmentationError(`Invalid segmentation options: ${error.message}`, error);
    }
    throw error;
  }
  const results: Promise<string[]>[] = [];
  const pending = new Set<Promise<void>>();
  let failed = false;
  // Pull one frame per free slot so at most `concurrency` frames of PNGs exist at once.
  for (const masks of frames) {
    if (failed || options?.signal?.aborted) break;
    const task = uploadFrame(ctx, resourceId, masks, options, wire);
    results.push(task);
    const tracked: Promise<void> = task
      .then(
        () => undefined,
        () => {
          failed = true;
        },
      )
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
    if (pending.size >= concurrency) await Promise.race(pending);
  }
  const settled = await Promise.allSettled(results);
  const rejected = settled.find((s) => s.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  if (options?.signal?.aborted) throw new APIUserAbortError({ cause: options.signal.reason });
  return settled.flatMap((s) => (s as PromiseFulfilledResult<string[]>).value);
}
