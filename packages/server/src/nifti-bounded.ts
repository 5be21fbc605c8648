import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { HttpError } from './errors';
import { readHead } from './file-inspection';
import {
  isGzip,
  type NiftiHeader,
  niftiDeclaredBytes,
  niftiShape,
  parseNiftiHeader,
  readDecodedHead,
} from './nifti';
import { checkDecodedBytes, checkFramePixels, type DecodeLimits } from './render/decode-limits';

/** A single-file NIfTI's header and its decoded bytes up to the end of the declared voxel data. */
export interface BoundedNifti {
  header: NiftiHeader;
  bytes: Uint8Array;
}

/**
 * The first `length` decompressed bytes of a gzip file, inflated as a stream: inflation stops once
 * `length` bytes are out, so data past what the header declares (a bomb's tail of zeros) is never
 * produced. A stream that ends or breaks earlier yields fewer bytes; `onCorrupt` builds the refusal
 * for a broken one.
 */
async function gunzipPrefix(path: string, length: number, onCorrupt: (reason: string) => HttpError) {
  const out = new Uint8Array(length);
  let filled = 0;
  const source = createReadStream(path);
  const gunzip = createGunzip();
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      const bytes = chunk as Buffer;
      const take = Math.min(bytes.length, length - filled);
      out.set(bytes.subarray(0, take), filled);
      filled += take;
      if (filled >= length) break;
    }
  } catch (err) {
    throw onCorrupt((err as Error).message);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return out.subarray(0, filled);
}

/**
 * Reads a stored or uploaded `.nii`/`.nii.gz` for decoding, checking the header's declared frame size
 * (`maxFramePixels`) and voxel data size (`maxDecompressedBytes`) before anything is inflated or
 * allocated. `subject` opens the refusals (`cannot render: the stored NIfTI`). Undefined when the
 * file is not a single-file NIfTI.
 */
export async function readNiftiBounded(
  path: string,
  subject: string,
  limits: DecodeLimits,
  onCorrupt: (reason: string) => HttpError,
): Promise<BoundedNifti | undefined> {
  const head = await readDecodedHead(path, 540);
  const header = parseNiftiHeader(head);
  if (!header) return undefined;
  const { columns, rows } = niftiShape(header);
  checkFramePixels(subject, columns, rows, limits);
  const need = niftiDeclaredBytes(header);
  checkDecodedBytes(subject, need, limits);
  if (!isGzip(await readHead(path, 2))) {
    const raw = await readFile(path);
    return { header, bytes: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
  }
  return { header, bytes: await gunzipPrefix(path, need, onCorrupt) };
}
