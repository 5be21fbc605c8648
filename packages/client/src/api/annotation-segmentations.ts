import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type LabelNames,
  MaskError,
  MaskVolume,
  type NiftiVoxels,
  readMask,
  readNiftiHeader,
  writeNifti,
} from '@datamint/segmentation';
import { type CallOptions, callOpts, createOnce, type HandlerContext, relabelNotFound } from '../context';
import { UnexpectedResponseError, ValidationError } from '../errors';
import { type MaskArray, SegmentationError, uploadSegmentations } from '../segmentations';
import { bytesContent, type MultipartPart, multipartBody } from '../upload/multipart-body';
import type { AnnotationProvenance } from './annotations';

/**
 * A colour label map as the Python SDK takes it: `shape` `[C, H, W, F]` (C = 3 or 4 channels, the
 * fourth ignored), row-major (`data[((c * H + y) * W + x) * F + f]`). Each distinct non-black colour
 * is one label.
 */
export interface ColourMaskArray {
  /** Channel values 0–255 in row-major order of `shape`. */
  data: ArrayLike<number>;
  /** `[channels, height, width, frames]`. */
  shape: readonly [3 | 4, number, number, number];
}

/**
 * Per-frame masks for `api.annotations.uploadSegmentations`: a PNG path or PNG bytes (grayscale and
 * palette PNGs are integer label maps, RGB/RGBA PNGs colour label maps), an integer
 * {@link MaskArray} (`[H, W]` or `[H, W, F]`), or a {@link ColourMaskArray}.
 */
export type FrameSegmentationInput = string | Uint8Array | MaskArray | ColourMaskArray;

/** Options of `api.annotations.uploadSegmentations`. */
export interface UploadFrameSegmentationsOptions extends AnnotationProvenance, CallOptions {
  /**
   * Identifiers. Integer label maps: one name (suffixed `_<value>` when a frame has several labels),
   * or `{ value: name }` with an optional `default` prefix. Colour label maps: `{ "r,g,b": name }` with
   * an optional `default` name; unnamed colours are `seg_<r>_<g>_<b>`. Default `default`.
   */
  name?: LabelNames;
  /** Resource frame of each mask frame (one per mask frame), or one number for a one-frame mask. Default 0, 1, … */
  frameIndex?: number | readonly number[];
  /** Skip frames without any label (default `true`). */
  discardEmptySegmentations?: boolean;
  /** Swap rows and columns of the masks. */
  transposeSegmentation?: boolean;
  /** Frames sent at once (default: the Api's concurrency). */
  concurrency?: number;
}

/** A label volume given as voxels: NIfTI order (x fastest), with its voxel → world affine. */
export interface VolumeArray {
  /** `nx · ny · nz` label values, x varying fastest. */
  data: NiftiVoxels;
  /** `[nx, ny, nz]` (columns, rows, slices of the resource). */
  shape: readonly [number, number, number];
  /** Voxel → world (RAS, mm) 4 × 4 matrix; identity when absent (as the Python SDK writes arrays). */
  affine?: readonly (readonly number[])[];
}

/** Options of `api.annotations.uploadVolumeSegmentation`. */
export interface UploadVolumeSegmentationOptions
  extends Omit<AnnotationProvenance, 'authorEmail'>,
    CallOptions {
  /** Label value → identifier (`{ 1: 'liver', 2: 'tumor' }`), sent as `segmentation_map`. */
  name?: Readonly<Record<number, string>> | ReadonlyMap<number, string>;
}

const COLOUR_KEY = /^\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*$/;

function isColourArray(value: unknown): value is ColourMaskArray {
  const shape = (value as { shape?: unknown })?.shape;
  return Array.isArray(shape) && shape.length === 4;
}

/** True for an RGB or RGBA PNG (colour types 2 and 6), whose pixels are colours rather than labels. */
function isColourPng(bytes: Uint8Array): boolean {
  return bytes.length > 25 && bytes[0] === 0x89 && bytes[1] === 0x50 && (bytes[25] === 2 || bytes[25] === 6);
}

function packColour(r: number, g: number, b: number): number {
  return ((r & 0xff) << 16) | ((g & 0xff) << 8) | (b & 0xff);
}

/** A colour label map as a volume of packed `0xRRGGBB` labels (black = 0 = background). */
function colourVolume(input: ColourMaskArray, transpose: boolean): MaskVolume {
  const [channels, height, width, frames] = input.shape;
  if (
    (channels !== 3 && channels !== 4) ||
    ![height, width, frames].every((n) => Number.isInteger(n) && n >= 1)
  ) {
    throw new ValidationError(
      'file.shape',
      input.shape,
      '[3 or 4, height, width, frames] of positive integers',
    );
  }
  if (input.data?.length !== channels * height * width * frames) {
    throw new ValidationError(
      'file.data',
      input.data?.length,
      `${channels * height * width * frames} values for shape ${JSON.stringify(input.shape)}`,
    );
  }
  const [outW, outH] = transpose ? [height, width] : [width, height];
  const out = new Uint32Array(outW * outH * frames);
  const plane = height * width * frames;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let f = 0; f < frames; f++) {
        const at = (y * width + x) * frames + f;
        const [ox, oy] = transpose ? [y, x] : [x, y];
        out[f * outW * outH + oy * outW + ox] = packColour(
          input.data[at]!,
          input.data[plane + at]!,
          input.data[2 * plane + at]!,
        );
      }
    }
  }
  return new MaskVolume(outW, outH, frames, out);
}

/** An RGB(A) PNG as a volume of packed colours: its red, green and blue channels read in turn. */
function colourPngVolume(bytes: Uint8Array, transpose: boolean, fileName: string): MaskVolume {
  const [r, g, b] = [0, 1, 2].map((channel) => readMask(bytes, { channel, transpose, fileName }));
  const out = new Uint32Array(r!.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = packColour(Math.round(r!.data[i]!), Math.round(g!.data[i]!), Math.round(b!.data[i]!));
  }
  return new MaskVolume(r!.width, r!.height, r!.frames, out);
}

/** Names every colour of a packed-colour volume: the `"r,g,b"` key, else `default`, else `seg_r_g_b`. */
function colourNames(volume: MaskVolume, names: LabelNames | undefined): Map<number, string> {
  if (typeof names === 'string' || names instanceof Map) {
    throw new ValidationError(
      'name',
      names,
      'for a colour label map, an object { "r,g,b": name, default?: name }',
    );
  }
  const byColour = new Map<number, string>();
  let fallback: string | undefined;
  for (const [key, value] of Object.entries(names ?? {})) {
    if (typeof value !== 'string' || value === '') {
      throw new ValidationError(`name[${JSON.stringify(key)}]`, value, 'a non-empty string');
    }
    if (key === 'default') {
      fallback = value;
      continue;
    }
    const match = COLOUR_KEY.exec(key);
    const rgb = match?.slice(1, 4).map(Number);
    if (!rgb || rgb.some((v) => v > 255)) {
      throw new ValidationError('name', key, 'colour keys "r,g,b" of 0–255 (or "default")');
    }
    byColour.set(packColour(rgb[0]!, rgb[1]!, rgb[2]!), value);
  }
  const seen = new Set<number>(volume.data);
  seen.delete(0);
  const out = new Map<number, string>();
  for (const packed of seen) {
    const [r, g, b] = [(packed >> 16) & 0xff, (packed >> 8) & 0xff, packed & 0xff];
    out.set(packed, byColour.get(packed) ?? fallback ?? `seg_${r}_${g}_${b}`);
  }
  return out;
}

async function readInput(input: string | Uint8Array, field: string): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  try {
    return new Uint8Array(await readFile(input));
  } catch (error) {
    throw new SegmentationError(
      `Cannot read segmentation file ${input}: ${(error as Error).message}`,
      error,
      field,
    );
  }
}

/**
 * Uploads per-frame masks as the current platform's clients do: per frame one annotation per label
 * (`POST /annotations/{rid}/annotations`, `source` set), then each label's mask as an 8-bit grayscale
 * 0/255 PNG. Integer label maps keep their label values (named through `name`); colour masks (RGB
 * PNGs or `[C, H, W, F]` arrays) give one label per colour, never read channel by channel.
 */
export async function uploadFrameSegmentations(
  ctx: HandlerContext,
  resourceId: string,
  input: FrameSegmentationInput,
  options: UploadFrameSegmentationsOptions,
): Promise<string[]> {
  const transpose = options.transposeSegmentation ?? false;
  if (typeof input === 'string' && /\.nii(\.gz)?$/i.test(input)) {
    throw new ValidationError(
      'file',
      input,
      'a PNG or an array (use uploadVolumeSegmentation for NIfTI volumes)',
    );
  }
  let source: MaskArray | MaskVolume | string | Uint8Array = input as MaskArray;
  let name = options.name ?? 'default';
  try {
    if (isColourArray(input)) {
      source = colourVolume(input, transpose);
    } else if (typeof input === 'string' || input instanceof Uint8Array) {
      const bytes = await readInput(input, 'file');
      const fileName = typeof input === 'string' ? input : 'mask bytes';
      source = isColourPng(bytes) ? colourPngVolume(bytes, transpose, fileName) : bytes;
    }
  } catch (error) {
    if (error instanceof MaskError) {
      throw new SegmentationError(`Invalid segmentation: ${error.message}`, error);
    }
    throw error;
  }
  if (source instanceof MaskVolume) name = colourNames(source, options.name);
  return uploadSegmentations(
    ctx,
    resourceId,
    source,
    { ...options, name, ...(options.authorEmail !== undefined ? { authorEmail: options.authorEmail } : {}) },
    undefined,
    { colour: 'gray', source: options.source ?? 'imported' },
  );
}

function segmentationMap(name: UploadVolumeSegmentationOptions['name']): string {
  const entries = name instanceof Map ? [...name.entries()] : Object.entries(name ?? {});
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    const label = Number(key);
    if (!Number.isSafeInteger(label) || label < 1 || String(label) !== String(key).trim()) {
      throw new ValidationError('name', key, 'label values (positive integers) as keys');
    }
    if (typeof value !== 'string' || value === '') {
      throw new ValidationError(`name[${label}]`, value, 'a non-empty string');
    }
    out[String(label)] = value;
  }
  return JSON.stringify(out);
}

/** The NIfTI bytes to send and their file name: a file as it is, an array written as one `.nii`. */
async function volumeFile(
  input: string | Uint8Array | VolumeArray,
): Promise<{ bytes: Uint8Array; filename: string }> {
  if (typeof input === 'string') {
    if (!/\.nii(\.gz)?$/i.test(input)) {
      throw new ValidationError(
        'file',
        input,
        'a .nii or .nii.gz file (use uploadSegmentations for PNG masks)',
      );
    }
    return { bytes: await readInput(input, 'file'), filename: path.basename(input) };
  }
  if (input instanceof Uint8Array) {
    const gz = input[0] === 0x1f && input[1] === 0x8b;
    const header = readNiftiHeader(gz ? new Uint8Array(gunzipSync(input)) : input);
    if (!header)
      throw new ValidationError('file', `${input.byteLength} bytes`, 'NIfTI-1/2 bytes (.nii or .nii.gz)');
    return { bytes: input, filename: gz ? 'segmentation.nii.gz' : 'segmentation.nii' };
  }
  if (!input || typeof input !== 'object' || !('data' in input)) {
    throw new ValidationError('file', input, 'a NIfTI path, NIfTI bytes or { data, shape, affine? }');
  }
  try {
    return {
      bytes: writeNifti({
        data: input.data,
        shape: input.shape,
        ...(input.affine ? { affine: input.affine } : {}),
      }),
      filename: 'segmentation.nii',
    };
  } catch (error) {
    if (error instanceof MaskError) {
      throw new ValidationError(
        `file.${error.field ?? 'data'}`,
        error.value,
        error.message.replace(/^writeNifti: /, ''),
      );
    }
    throw error;
  }
}

/**
 * Uploads one label volume (`POST /annotations/{rid}/segmentations/file`): a NIfTI file sent as it
 * is, or voxels written by us as one NIfTI-1 file. Parts in the platform's order: `file`
 * (`application/nifti`), `model_id`, `annotation_worklist_id`, `source`, `imported_from`,
 * `segmentation_map` (`application/json`). Returns the created annotation ids (one per label).
 */
export async function uploadVolume(
  ctx: HandlerContext,
  resourceId: string,
  input: string | Uint8Array | VolumeArray,
  options: UploadVolumeSegmentationOptions,
): Promise<string[]> {
  const map = segmentationMap(options.name);
  const { bytes, filename } = await volumeFile(input);
  const parts: MultipartPart[] = [
    { name: 'file', filename, contentType: 'application/nifti', content: bytesContent(bytes) },
  ];
  if (options.modelId !== undefined) parts.push({ name: 'model_id', value: options.modelId });
  if (options.worklistId !== undefined)
    parts.push({ name: 'annotation_worklist_id', value: options.worklistId });
  parts.push({ name: 'source', value: options.source ?? 'imported' });
  if (options.importedFrom !== undefined) parts.push({ name: 'imported_from', value: options.importedFrom });
  parts.push({ name: 'segmentation_map', value: map, contentType: 'application/json' });
  const body = multipartBody(parts);
  const url = `annotations/${resourceId}/segmentations/file`;
  const answer = await relabelNotFound(
    () =>
      ctx.http.request<unknown>({
        method: 'POST',
        path: url,
        body: () => body.chunks(),
        headers: { 'content-type': body.contentType, 'content-length': String(body.length) },
        ...createOnce(),
        ...callOpts(options),
      }),
    'resource',
    { resource_id: resourceId },
  );
  if (!Array.isArray(answer) || !answer.every((id) => typeof id === 'string')) {
    throw new UnexpectedResponseError(`POST /${url}`, answer, 'an array of annotation ids');
  }
  return answer;
}
