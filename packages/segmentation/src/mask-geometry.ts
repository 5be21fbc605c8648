import { describeSource, MaskFormatError } from './errors';
import { readNiftiHeader } from './nifti-header';
import { checkMaskHeader, niftiLayout } from './read-nifti';
import { isPng } from './read-png';

/** A mask's size as its header declares it, in the orientation `readMask` would give it. */
export interface MaskGeometry {
  /** Columns of each frame. */
  width: number;
  /** Rows of each frame. */
  height: number;
  /** Frames (1 for a PNG or a 2-D NIfTI). */
  frames: number;
}

/**
 * How many leading bytes {@link maskGeometry} needs: a NIfTI-2 header, the longest of the headers it
 * reads (a PNG's size is in its first 24 bytes, a NIfTI-1's in its first 348).
 */
export const MASK_HEADER_BYTES = 540;

/** Bytes 12..15 of a PNG: the first chunk's type, which the PNG standard requires to be IHDR. */
const IHDR = [0x49, 0x48, 0x44, 0x52];

/**
 * The width, height and frame count a mask will have once read by `readMask` with the same
 * `transpose`, from its uncompressed leading bytes alone (gunzip the start of a `.nii.gz` first):
 * a planner can check a mask against its image without reading the voxels. `undefined` when the
 * bytes do not start a PNG or a NIfTI file, or stop before the size. A NIfTI header that `readMask`
 * would refuse (a 4-D volume, an unsupported datatype, the header of a `.hdr`/`.img` pair) throws
 * the MaskError it would throw, naming `fileName`; the voxels themselves are not checked.
 * @example
 * ```ts
 * import { MASK_HEADER_BYTES, maskGeometry, writeNifti } from '@datamint/segmentation';
 *
 * const nifti = writeNifti({ data: new Uint8Array(16 * 12 * 5), shape: [16, 12, 5] });
 * const size = maskGeometry(nifti.subarray(0, MASK_HEADER_BYTES)); // { width: 16, height: 12, frames: 5 }
 * ```
 */
export function maskGeometry(
  head: Uint8Array,
  transpose = false,
  fileName?: string,
): MaskGeometry | undefined {
  if (isPng(head)) {
    if (head.length < 24 || IHDR.some((b, i) => head[12 + i] !== b)) return undefined;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const width = view.getUint32(16);
    const height = view.getUint32(20);
    return transpose ? { width: height, height: width, frames: 1 } : { width, height, frames: 1 };
  }
  const header = readNiftiHeader(head);
  if (!header) return undefined;
  const what = describeSource(fileName, 'NIfTI');
  if (!header.singleFile) {
    throw new MaskFormatError(
      `${what} is the header of a .hdr/.img pair (magic "${header.magic}"); only single-file NIfTI masks are read`,
      { file: fileName, field: 'magic', value: header.magic },
    );
  }
  const { dims } = checkMaskHeader(header, what, fileName);
  const { width, height, frames } = niftiLayout(dims, transpose);
  return { width, height, frames };
}
