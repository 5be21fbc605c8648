import { MaskShapeError } from './errors';

/** The voxel arrays {@link writeNifti} stores, each with its NIfTI datatype code and bits per voxel. */
export type NiftiVoxels =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** What {@link writeNifti} writes: voxels in NIfTI order (x fastest, then y, then z) and where they are. */
export interface NiftiVolume {
  /** `nx · ny · nz` voxels, x varying fastest (the order NIfTI files store them). */
  data: NiftiVoxels;
  /** `[nx, ny]` or `[nx, ny, nz]`. */
  shape: readonly number[];
  /** Voxel → world (RAS, mm) 4 × 4 matrix (or its first 3 rows); identity when absent. */
  affine?: readonly (readonly number[])[];
}

const HEADER_SIZE = 348;
const VOX_OFFSET = 352;

/** The datatype code and bit width of a voxel array (NIfTI-1 `datatype`, `bitpix`). */
function datatypeOf(data: NiftiVoxels): [code: number, bits: number] {
  if (data instanceof Uint8Array) return [2, 8];
  if (data instanceof Int16Array) return [4, 16];
  if (data instanceof Int32Array) return [8, 32];
  if (data instanceof Float32Array) return [16, 32];
  if (data instanceof Float64Array) return [64, 64];
  if (data instanceof Int8Array) return [256, 8];
  if (data instanceof Uint16Array) return [512, 16];
  if (data instanceof Uint32Array) return [768, 32];
  throw new MaskShapeError(
    'writeNifti: data must be a Uint8/Int8/Uint16/Int16/Uint32/Int32/Float32/Float64Array',
    { field: 'data', value: Object.prototype.toString.call(data) },
  );
}

function checkAffine(affine: NiftiVolume['affine']): number[][] {
  const identity = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ];
  if (affine === undefined) return identity;
  const ok =
    Array.isArray(affine) &&
    (affine.length === 3 || affine.length === 4) &&
    affine.every(
      (row) =>
        Array.isArray(row) &&
        row.length === 4 &&
        row.every((v) => typeof v === 'number' && Number.isFinite(v)),
    );
  if (!ok) {
    throw new MaskShapeError(
      `writeNifti: affine must be a 4 × 4 matrix of finite numbers, got ${JSON.stringify(affine)}`,
      {
        field: 'affine',
        value: affine,
      },
    );
  }
  return affine.slice(0, 3).map((row) => [...row]);
}

/**
 * Writes a volume as one uncompressed NIfTI-1 file (`.nii`, little-endian): the voxels as given (their
 * type kept), the affine as the sform (code 1, scanner), voxel sizes from its column lengths, units mm.
 * Pure and browser-safe. Throws MaskShapeError when the shape does not match the data or the affine is
 * not 4 × 4.
 * @example
 * ```ts
 * import { readMask, writeNifti } from '@datamint/segmentation';
 *
 * const nii = writeNifti({ data: new Uint8Array([0, 1, 2, 0, 1, 2]), shape: [3, 2, 1] });
 * console.log(readMask(nii, { fileName: 'seg.nii' }).frame(0).data); // the six labels back
 * ```
 */
export function writeNifti(volume: NiftiVolume): Uint8Array {
  const { data, shape } = volume;
  const [code, bits] = datatypeOf(data);
  if (
    !Array.isArray(shape) ||
    shape.length < 2 ||
    shape.length > 3 ||
    !shape.every((n) => Number.isInteger(n) && n >= 1 && n <= 32767)
  ) {
    throw new MaskShapeError(
      `writeNifti: shape must be [nx, ny] or [nx, ny, nz] of integers in 1..32767, got ${JSON.stringify(shape)}`,
      {
        field: 'shape',
        value: shape,
      },
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new MaskShapeError(
      `writeNifti: data has ${data.length} voxels but shape ${JSON.stringify(shape)} needs ${count}`,
      {
        field: 'data',
        value: data.length,
      },
    );
  }
  const affine = checkAffine(volume.affine);
  const bytes = new Uint8Array(VOX_OFFSET + data.byteLength);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, HEADER_SIZE, true);
  const dims = [3, shape[0]!, shape[1]!, shape[2] ?? 1, 1, 1, 1, 1];
  for (const [i, d] of dims.entries()) view.setInt16(40 + 2 * i, d, true);
  view.setInt16(70, code, true);
  view.setInt16(72, bits, true);
  const spacing = [0, 1, 2].map((j) => Math.hypot(affine[0]![j]!, affine[1]![j]!, affine[2]![j]!));
  for (const [i, v] of [1, ...spacing, 1, 1, 1, 1].entries()) view.setFloat32(76 + 4 * i, v, true);
  view.setFloat32(108, VOX_OFFSET, true);
  view.setFloat32(112, 1, true); // scl_slope: values as stored
  bytes[123] = 2; // xyzt_units: millimetres
  view.setInt16(254, 1, true); // sform_code: scanner coordinates
  for (const [r, row] of affine.entries()) {
    for (const [c, v] of row.entries()) view.setFloat32(280 + 16 * r + 4 * c, v, true);
  }
  bytes.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  const voxels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bits > 8 && new Uint8Array(new Uint16Array([1]).buffer)[0] === 0) {
    // Big-endian platform: NIfTI written here is little-endian.
    const width = bits / 8;
    for (let p = 0; p < voxels.length; p += width) {
      for (let b = 0; b < width; b++) bytes[VOX_OFFSET + p + b] = voxels[p + width - 1 - b]!;
    }
  } else {
    bytes.set(voxels, VOX_OFFSET);
  }
  return bytes;
}
