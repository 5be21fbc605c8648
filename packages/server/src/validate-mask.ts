import { readFile } from 'node:fs/promises';
import { MaskError, type MaskTarget, readMask } from '@datamint/segmentation';
import { BadRequestError } from './errors';
import { readHead } from './file-inspection';
import { imageSize, isPng, pngDeclaredBytes } from './image-header';
import { readNiftiBounded } from './nifti-bounded';
import { checkDecodedBytes, checkFramePixels, type DecodeLimits } from './render/decode-limits';

/** The frame size a mask must match, where the resource's is known. */
export interface MaskResource {
  rows: number | null;
  columns: number | null;
}

/** The mask's bytes ready for decoding, its declared sizes checked against the limits first. */
async function boundedMaskBytes(path: string, limits: DecodeLimits): Promise<Uint8Array> {
  const head = await readHead(path, 33);
  if (isPng(head)) {
    const size = imageSize(head);
    if (size) checkFramePixels('mask rejected: the PNG', size.columns, size.rows, limits);
    checkDecodedBytes('mask rejected: the PNG', pngDeclaredBytes(head) ?? 0, limits);
  } else {
    const nifti = await readNiftiBounded(
      path,
      'mask rejected: the NIfTI',
      limits,
      (reason) => new BadRequestError(`mask rejected: the gzip stream does not decompress (${reason})`),
    );
    if (nifti) return nifti.bytes;
  }
  return new Uint8Array(await readFile(path));
}

/**
 * Checks an uploaded mask with @datamint/segmentation: it must be a readable PNG (or NIfTI) label
 * image and, when the resource's size is known, as large as one of its frames. RGB masks (what the
 * Python SDK sends: 0/255 in every channel) are read through their first channel. Declared sizes over
 * the decode limits are a 413 before anything is decoded.
 */
export async function validateMask(
  path: string,
  filename: string,
  resource: MaskResource,
  limits: DecodeLimits,
): Promise<void> {
  const bytes = await boundedMaskBytes(path, limits);
  const target: MaskTarget = {};
  if (resource.rows !== null) target.rows = resource.rows;
  if (resource.columns !== null) target.columns = resource.columns;
  try {
    readMask(bytes, { fileName: filename || 'file', channel: 0, target });
  } catch (err) {
    if (err instanceof MaskError) throw new BadRequestError(`mask rejected: ${err.message}`);
    throw err;
  }
}
