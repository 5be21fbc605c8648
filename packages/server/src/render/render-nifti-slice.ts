import { BadRequestError, NotImplementedHttpError } from '../errors';
import { niftiDatatypeSupported, niftiShape, niftiSlice, parseNiftiHeader } from '../nifti';
import type { Raster } from './encode-png';

/**
 * Slice `index` (storage order: every slice of the first volume, then of the next) of a decoded
 * single-file NIfTI, scaled from the volume's min..max to 0..255. Voxel (i, j) goes to column i, row j,
 * the orientation the Python SDK gives segmentation frames of NIfTI files.
 */
export function renderNiftiSlice(bytes: Uint8Array, index: number): Raster {
  const header = parseNiftiHeader(bytes);
  if (!header) {
    throw new NotImplementedHttpError(
      'cannot render: the stored file is not a single-file NIfTI-1/NIfTI-2 volume',
    );
  }
  const { frames } = niftiShape(header);
  if (index >= frames) {
    throw new BadRequestError(`Frame index out of range: ${index} (the resource has ${frames} frames)`);
  }
  if (!niftiDatatypeSupported(header.datatype)) {
    throw new NotImplementedHttpError(
      `cannot render NIfTI datatype ${header.datatype}; only scalar voxel types`,
    );
  }
  const slice = niftiSlice(bytes, header, index);
  if (!slice)
    throw new NotImplementedHttpError('cannot render: the NIfTI voxel data is shorter than its header says');
  const { columns, rows, values, min, max } = slice;
  const data = new Uint8Array(values.length);
  const range = max - min;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    data[i] = Number.isFinite(v) && range > 0 ? Math.round(((v - min) / range) * 255) : 0;
  }
  return { width: columns, height: rows, channels: 1, data };
}
