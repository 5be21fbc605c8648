import { checkMaskDimensions, type MaskTarget } from './dimensions';
import { MaskShapeError } from './errors';
import { type NumericArray, normaliseLabels } from './normalise';
import { MaskVolume } from './volume';

/** Options of {@link maskFromArray}. */
export interface MaskFromArrayOptions {
  /** Swap axes 0 and 1 (rows and columns), as the Python SDK's `transpose_segmentation` does for arrays. */
  transpose?: boolean;
  /**
   * Cast to uint8 the way the Python SDK does (`astype(uint8)`: 257 -> 1, -1 -> 255, 1.9 -> 1) instead of
   * raising MaskValueError for labels that are negative, non-integral or above 2^32-1.
   */
  wrap?: boolean;
  /** Compare the result with the target resource's Rows/Columns/NumberOfFrames. */
  target?: MaskTarget;
  /** Names the array in error messages. */
  name?: string;
}

/**
 * Builds a MaskVolume from a flat row-major array of shape `[H, W]` or `[H, W, F]`, the layout of a
 * C-order numpy array as the Python SDK documents it (frames on the last axis). The data is copied.
 * Throws MaskShapeError when the shape does not match the data, MaskValueError for values that are not
 * non-negative integers.
 * @example
 * ```ts
 * import { maskFromArray } from '@datamint/segmentation';
 *
 * // 2 rows x 3 columns, one frame: label 1 on the left column, label 2 on the right one.
 * const volume = maskFromArray(new Uint8Array([1, 0, 2, 1, 0, 2]), [2, 3]);
 * console.log(volume.width, volume.height, volume.frames); // 3 2 1
 * ```
 */
export function maskFromArray(
  data: NumericArray,
  shape: readonly [number, number] | readonly [number, number, number],
  options: MaskFromArrayOptions = {},
): MaskVolume {
  const name = options.name;
  const context = { file: name };
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3)) {
    throw new MaskShapeError(`shape must be [H, W] or [H, W, F], got ${JSON.stringify(shape)}`, {
      ...context,
      field: 'shape',
      value: shape,
    });
  }
  for (const size of shape) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new MaskShapeError(`shape ${JSON.stringify(shape)} has a size that is not a positive integer`, {
        ...context,
        field: 'shape',
        value: shape,
      });
    }
  }
  const [H, W] = shape;
  const F = shape.length === 3 ? shape[2] : 1;
  if (data.length !== H * W * F) {
    throw new MaskShapeError(
      `data has ${data.length} values but shape ${JSON.stringify(shape)} needs ${H * W * F}`,
      { ...context, field: 'data', value: data.length },
    );
  }
  const layout = options.transpose
    ? { width: H, height: W, frames: F, colStride: W * F, rowStride: F, frameStride: 1 }
    : { width: W, height: H, frames: F, colStride: F, rowStride: W * F, frameStride: 1 };
  const labels = normaliseLabels(data, layout, {
    wrap: options.wrap,
    context,
    describe: (i) => {
      const index = [Math.floor(i / (W * F)), Math.floor(i / F) % W, ...(shape.length === 3 ? [i % F] : [])];
      return `data[${i}] (index [${index.join(', ')}])`;
    },
  });
  const volume = new MaskVolume(layout.width, layout.height, F, labels);
  if (options.target !== undefined) checkMaskDimensions(volume, options.target, name);
  return volume;
}
