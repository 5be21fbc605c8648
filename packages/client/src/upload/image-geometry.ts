import { MASK_HEADER_BYTES, maskGeometry, readNiftiHeader } from '@datamint/segmentation';
import type { ImageGeometry } from './dicom-head';
import { inflatedHead, isGzip } from './leading-bytes';

/**
 * The size of a PNG or NIfTI image from its leading bytes (a `.nii.gz`'s are inflated), as the
 * server measures it: a NIfTI's columns and rows are its first two dimensions and its frames all
 * the others together (a mask read without transposition lies the same way).
 */
export async function imageGeometryFromHead(head: Uint8Array): Promise<ImageGeometry | undefined> {
  const plain = isGzip(head) ? await inflatedHead(head, MASK_HEADER_BYTES) : head;
  const nifti = readNiftiHeader(plain);
  if (nifti) {
    const [columns = 0, rows = 0, ...rest] = nifti.dims;
    const frames = rest.reduce((n, d) => n * Math.max(1, d), 1);
    return columns > 0 && rows > 0 ? { rows, columns, frames } : undefined;
  }
  const size = maskGeometry(plain);
  return size && { rows: size.height, columns: size.width, frames: 1 };
}
