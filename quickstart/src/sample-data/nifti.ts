export interface NiftiVolumeInput {
  /** Voxels along x (columns), y (rows) and z (slices). */
  dims: readonly [number, number, number];
  /** uint8 voxels, x fastest (NIfTI order). */
  data: Uint8Array;
  /** Voxel size in mm. */
  spacing?: readonly [number, number, number];
  /** Row-major 3x4 voxel→patient (RAS) affine, written as the sform. */
  affine?: readonly [readonly number[], readonly number[], readonly number[]];
  description?: string;
}

const HEADER_SIZE = 348;
const VOX_OFFSET = 352;

/**
 * A single-file NIfTI-1 (`.nii`) label volume of unsigned 8-bit voxels: the smallest complete
 * header (dims, datatype, pixdim, sform, magic) that nibabel and nifti-reader-js both read.
 */
export function writeNifti1(input: NiftiVolumeInput): Uint8Array {
  const [nx, ny, nz] = input.dims;
  if (![nx, ny, nz].every((n) => Number.isInteger(n) && n >= 1 && n <= 32767)) {
    throw new RangeError(`writeNifti1: dims must be integers in 1..32767, got ${input.dims.join('x')}`);
  }
  if (input.data.length !== nx * ny * nz) {
    throw new RangeError(
      `writeNifti1: ${input.data.length} voxels for dims ${nx}x${ny}x${nz} (${nx * ny * nz})`,
    );
  }
  const out = new Uint8Array(VOX_OFFSET + input.data.length);
  const view = new DataView(out.buffer);
  const spacing = input.spacing ?? [1, 1, 1];
  view.setInt32(0, HEADER_SIZE, true);
  out[38] = 'r'.charCodeAt(0);
  const dim = [3, nx, ny, nz, 1, 1, 1, 1];
  for (const [i, d] of dim.entries()) view.setInt16(40 + i * 2, d, true);
  view.setInt16(68, 1002, true); // NIFTI_INTENT_LABEL: the values are labels, not intensities.
  view.setInt16(70, 2, true); // DT_UNSIGNED_CHAR
  view.setInt16(72, 8, true);
  const pixdim = [1, spacing[0], spacing[1], spacing[2], 1, 1, 1, 1];
  for (const [i, p] of pixdim.entries()) view.setFloat32(76 + i * 4, p, true);
  view.setFloat32(108, VOX_OFFSET, true);
  view.setFloat32(112, 1, true); // scl_slope
  out[123] = 2; // xyzt_units: mm
  const description = new TextEncoder().encode((input.description ?? 'datamint label mask').slice(0, 79));
  out.set(description, 148);
  const affine = input.affine ?? [
    [spacing[0], 0, 0, 0],
    [0, spacing[1], 0, 0],
    [0, 0, spacing[2], 0],
  ];
  view.setInt16(254, 2, true); // sform_code: aligned to another scan
  for (const [r, row] of affine.entries()) {
    for (const [c, v] of row.entries()) view.setFloat32(280 + r * 16 + c * 4, v, true);
  }
  out.set(new TextEncoder().encode('n+1\0'), 344);
  out.set(input.data, VOX_OFFSET);
  return out;
}
