import { BadRequestError } from './errors';
import { niftiDatatypeSupported, niftiShape, niftiVoxelReader } from './nifti';
import { readNiftiBounded } from './nifti-bounded';
import type { DecodeLimits } from './render/decode-limits';
import type { Raster } from './render/encode-png';
import type { JsonValue } from './repos/json';

/** A decoded NIfTI label volume: voxel (i, j, k) is column i, row j of frame k. */
export interface LabelVolume {
  columns: number;
  rows: number;
  frames: number;
  /** The value of voxel `i` in storage order. */
  valueAt(i: number): number;
}

/**
 * Decodes a `.nii`/`.nii.gz` label volume within the decode limits (checked on the header before
 * anything is inflated); anything that is not one is a 400 saying why.
 */
export async function readLabelVolume(path: string, limits: DecodeLimits): Promise<LabelVolume> {
  const what = 'segmentation file';
  const nifti = await readNiftiBounded(
    path,
    `segmentation file rejected: the NIfTI`,
    limits,
    (reason) => new BadRequestError(`${what}: the gzip stream does not decompress (${reason})`),
  );
  if (!nifti)
    throw new BadRequestError(`${what}: not a single-file NIfTI-1/NIfTI-2 volume (.nii or .nii.gz)`);
  const { header, bytes } = nifti;
  if (!niftiDatatypeSupported(header.datatype)) {
    throw new BadRequestError(`${what}: NIfTI datatype ${header.datatype} is not a scalar label type`);
  }
  const valueAt = niftiVoxelReader(bytes, header);
  if (!valueAt) throw new BadRequestError(`${what}: the voxel data is shorter than the NIfTI header says`);
  return { ...niftiShape(header), valueAt };
}

/** The distinct non-zero label values of the volume, ascending (non-integers are not labels). */
export function labelsPresent(volume: LabelVolume): number[] {
  const seen = new Set<number>();
  const count = volume.columns * volume.rows * volume.frames;
  for (let i = 0; i < count; i++) {
    const v = volume.valueAt(i);
    if (v !== 0 && Number.isInteger(v)) seen.add(v);
  }
  return [...seen].sort((a, b) => a - b);
}

/** `segmentation_map` (`{"1": "liver"}`, JSON object or its text) as label value → name. */
export function parseSegmentationMap(value: string | JsonValue | undefined): Map<number, string> {
  let parsed: JsonValue | undefined = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as JsonValue;
    } catch {
      throw new BadRequestError(
        `segmentation_map must be a JSON object like {"1": "liver"}, got ${JSON.stringify(value.slice(0, 100))}`,
      );
    }
  }
  if (parsed === undefined || parsed === null) return new Map();
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BadRequestError('segmentation_map must be a JSON object like {"1": "liver"}');
  }
  const map = new Map<number, string>();
  for (const [key, name] of Object.entries(parsed)) {
    // The SDK warns about a "default" key but still sends it; it names no label value.
    if (key === 'default') continue;
    if (!/^\d{1,9}$/.test(key) || Number(key) === 0) {
      throw new BadRequestError(
        `segmentation_map key '${key.slice(0, 50)}' must be a positive integer label value`,
      );
    }
    if (typeof name !== 'string' || name.trim() === '') {
      throw new BadRequestError(`segmentation_map['${key}'] must be a non-empty string name`);
    }
    map.set(Number(key), name);
  }
  return map;
}

/** The resource's frame size and count, where known, that a volume mask must match. */
export interface FrameShape {
  columns: number | null;
  rows: number | null;
  frames: number | null;
}

/** A volume mask must cover the resource exactly: same width, height and number of frames. */
export function checkVolumeFits(volume: LabelVolume, resource: FrameShape, resourceId: string): void {
  const wrong =
    (resource.columns !== null && resource.columns !== volume.columns) ||
    (resource.rows !== null && resource.rows !== volume.rows) ||
    (resource.frames !== null && resource.frames !== volume.frames);
  if (wrong) {
    const known = (n: number | null) => (n === null ? '?' : String(n));
    throw new BadRequestError(
      `segmentation volume is ${volume.columns}x${volume.rows}x${volume.frames} (columns x rows x frames) but resource ${resourceId} is ${known(resource.columns)}x${known(resource.rows)}x${known(resource.frames)}`,
    );
  }
}

/** Frame `frame` of one label as an 8-bit mask: 255 where the voxel holds the label, 0 elsewhere. */
export function labelSlice(volume: LabelVolume, frame: number, label: number): Raster {
  if (frame >= volume.frames) {
    throw new BadRequestError(`Frame index out of range: ${frame} (the mask has ${volume.frames} frames)`);
  }
  const perSlice = volume.columns * volume.rows;
  const data = new Uint8Array(perSlice);
  const start = frame * perSlice;
  for (let i = 0; i < perSlice; i++) data[i] = volume.valueAt(start + i) === label ? 255 : 0;
  return { width: volume.columns, height: volume.rows, channels: 1, data };
}
