import { checkMaskDimensions, type MaskTarget } from './dimensions';
import { describeSource, MaskFormatError } from './errors';
import { gunzipNative, isGzip } from './gunzip';
import { type Layout, normaliseLabels } from './normalise';
import { describeVoxel, niftiLayout, niftiVersion, readNifti } from './read-nifti';
import { isPng, readPng } from './read-png';
import { MaskVolume } from './volume';

/** Options of {@link readMask}: the file's name for messages, PNG channel, orientation, target checks. */
export interface ReadMaskOptions {
  /** Used in error messages only; the format is detected from the content. */
  fileName?: string;
  /**
   * The Python SDK's `transpose_segmentation`. For PNG: swap rows and columns. For NIfTI the meaning is
   * inverted (spec §2.2): by default voxel (i, j, k) goes to column i, row j of frame k; with
   * `transpose: true` it goes to row i, column j.
   */
  transpose?: boolean;
  /** Cast every value to uint8 the way numpy's `astype(uint8)` does (Python SDK parity) instead of rejecting it. */
  wrap?: boolean;
  /** For RGB, RGBA and gray+alpha PNGs: the channel (0-based) that holds the labels. */
  channel?: number;
  /** The `.img` (or `.img.gz`) bytes when `bytes` is the `.hdr` of a NIfTI pair. */
  image?: Uint8Array | ArrayBuffer;
  /** Compare the result with the target resource's Rows/Columns/NumberOfFrames. */
  target?: MaskTarget;
  /**
   * Replaces the built-in gzip decompressor (fflate, which works everywhere) for `.nii.gz` input. In Node,
   * `gunzip: (b) => zlib.gunzipSync(b)` is several times faster. It must throw on corrupt input and is
   * trusted to verify the gzip CRC; its errors become MaskFormatError.
   */
  gunzip?: (gzip: Uint8Array) => Uint8Array;
}

/**
 * Reads a PNG or NIfTI (.nii, .nii.gz, .hdr + .img) label mask into a MaskVolume. The format is detected
 * from the bytes. Throws MaskError (MaskFormatError, MaskValueError, MaskShapeError) on anything that
 * is not a valid mask.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { encodeMaskPng, readMask, splitLabels } from '@datamint/segmentation';
 *
 * const volume = readMask(await readFile('labels.nii.gz'), { fileName: 'labels.nii.gz' });
 * console.log(volume.width, volume.height, volume.frames);
 * for (const item of splitLabels(volume, { names: { 1: 'liver', 2: 'spleen' } })) {
 *   const png = encodeMaskPng(item.mask); // what the platform stores for this label and frame
 *   console.log(item.frame, item.identifier, png.length);
 * }
 * ```
 */
export function readMask(bytes: Uint8Array | ArrayBuffer, options: ReadMaskOptions = {}): MaskVolume {
  return decodeMask(toBytes(bytes), options, false);
}

/**
 * `readMask` for `await`ing callers: gzip is decompressed by the platform's native `DecompressionStream`
 * (browsers, Node >= 18), which is several times faster than the portable fflate path. Falls back to
 * `readMask` when a `gunzip` option is given or the platform has no DecompressionStream.
 */
export async function readMaskAsync(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadMaskOptions = {},
): Promise<MaskVolume> {
  const input = toBytes(bytes);
  if (options.gunzip !== undefined || typeof DecompressionStream === 'undefined')
    return readMask(input, options);
  const image = options.image === undefined ? undefined : toBytes(options.image);
  const main = isGzip(input) ? await gunzipNative(input, options.fileName) : input;
  const img = image !== undefined && isGzip(image) ? await gunzipNative(image, options.fileName) : image;
  return decodeMask(main, { ...options, image: img }, main !== input);
}

function decodeMask(input: Uint8Array, options: ReadMaskOptions, ownedInput: boolean): MaskVolume {
  const file = options.fileName;
  const transpose = options.transpose ?? false;
  const context = { file };
  let volume: MaskVolume;

  if (isPng(input)) {
    if (options.image !== undefined) {
      throw new MaskFormatError(
        `${describeSource(file)} is a PNG; the image option is only for NIfTI .hdr/.img pairs`,
        {
          file,
          field: 'image',
        },
      );
    }
    const png = readPng(input, { channel: options.channel, file });
    const { width, height } = png;
    const layout: Layout = transpose
      ? {
          width: height,
          height: width,
          frames: 1,
          colStride: width,
          rowStride: 1,
          frameStride: width * height,
        }
      : { width, height, frames: 1, colStride: 1, rowStride: width, frameStride: width * height };
    const data = normaliseLabels(png.samples, layout, {
      wrap: options.wrap,
      owned: true,
      context,
      describe: (i) => `pixel (x ${i % width}, y ${Math.floor(i / width)})`,
    });
    volume = new MaskVolume(layout.width, layout.height, 1, data);
  } else if (isGzip(input) || niftiVersion(input) !== undefined) {
    const nifti = readNifti(input, {
      file,
      owned: ownedInput,
      image: options.image === undefined ? undefined : toBytes(options.image),
      gunzip: options.gunzip,
    });
    const layout = niftiLayout(nifti.dims, transpose);
    const data = normaliseLabels(nifti.values, layout, {
      slope: nifti.slope,
      inter: nifti.inter,
      wrap: options.wrap,
      owned: nifti.owned,
      context,
      describe: describeVoxel(nifti.dims),
    });
    volume = new MaskVolume(layout.width, layout.height, layout.frames, data);
  } else {
    const head = Array.from(input.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new MaskFormatError(
      `${describeSource(file)} is neither a PNG nor a NIfTI file (first bytes: ${head || 'none'})`,
      { file, field: 'signature', value: head },
    );
  }
  if (options.target !== undefined) checkMaskDimensions(volume, options.target, file);
  return volume;
}

/** A plain Uint8Array view: Node's Buffer overrides `slice` to share memory, which we must not inherit. */
function toBytes(bytes: Uint8Array | ArrayBuffer): Uint8Array {
  return bytes instanceof Uint8Array
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
}
