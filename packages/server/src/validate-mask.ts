import { readFile } from 'node:fs/promises';
import { MaskError, type MaskTarget, readMask } from '@datamint/segmentation';
import { BadRequestError } from './errors';
import type { ResourceRow } from './repos/resources';

/**
 * Checks an uploaded mask with @datamint/segmentation: it must be a readable PNG (or NIfTI) label
 * image and, when the resource's size is known, as large as one of its frames. RGB masks (what the
 * Python SDK sends: 0/255 in every channel) are read through their first channel.
 */
export async function validateMask(path: string, filename: string, resource: ResourceRow): Promise<void> {
  const bytes = new Uint8Array(await readFile(path));
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
