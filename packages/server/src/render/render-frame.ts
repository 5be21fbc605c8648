import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DicomError, parseDicom } from '@datamint/dicom';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { BadRequestError, HttpError, NotImplementedHttpError } from '../errors';
import { imageSize, isJpeg, isPng } from '../image-header';
import { looksLikeDicom } from '../mimetypes';
import { isGzip, niftiShape, parseNiftiHeader, readDecodedHead } from '../nifti';
import {
  checkFramePixels,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  decompressedTooLarge,
} from './decode-limits';
import { encodePng } from './encode-png';
import { renderDicomFrame } from './render-dicom-frame';
import { renderNiftiSlice } from './render-nifti-slice';

export interface FrameSource {
  path: string;
  mimetype: string | null;
  filename: string;
  storage: string;
}

/** Largest JPEG we decode, in megapixels (jpeg-js allocates the whole raster). */
const MAX_JPEG_MEGAPIXELS = 100;

function singleImageFrame(index: number): void {
  if (index !== 0) throw new BadRequestError(`Frame index out of range: ${index} (the resource has 1 frame)`);
}

function gunzip(bytes: Uint8Array, limits: DecodeLimits): Uint8Array {
  try {
    // The cap stops inflation as it is reached: a bomb of zeros never allocates past it.
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: limits.maxDecompressedBytes }));
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw decompressedTooLarge('NIfTI', limits);
    }
    throw new NotImplementedHttpError(
      `cannot render: the stored NIfTI does not decompress (${(err as Error).message})`,
    );
  }
}

/**
 * PNG bytes of frame `index`: DICOM frames and NIfTI slices are rendered, PNG is returned as stored,
 * JPEG is re-encoded. Anything else (video, DICOM compressions without a decoder) is a 501.
 */
export async function renderFrame(
  source: FrameSource,
  index: number,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(source.path));
  if (looksLikeDicom(bytes) || source.mimetype === 'application/dicom') {
    let parsed: ReturnType<typeof parseDicom>;
    try {
      parsed = parseDicom(bytes, { fileName: source.filename });
    } catch (err) {
      const reason = err instanceof DicomError ? err.message : String(err);
      throw new NotImplementedHttpError(`cannot render: the stored file is not readable DICOM (${reason})`);
    }
    return encodePng(await renderDicomFrame(parsed, index));
  }
  if (isPng(bytes)) {
    singleImageFrame(index);
    const size = imageSize(bytes);
    if (size) checkFramePixels('PNG', size.columns, size.rows, limits);
    // Served as stored, but only once it decodes: the Python SDK hands the body to PIL.
    try {
      decodePng(bytes);
    } catch (err) {
      throw new NotImplementedHttpError(
        `cannot render: the stored PNG does not decode (${(err as Error).message})`,
      );
    }
    return bytes;
  }
  if (source.storage === 'NiftiResource' || parseNiftiHeader(bytes) !== undefined) {
    const header = parseNiftiHeader(isGzip(bytes) ? await readDecodedHead(source.path, 352) : bytes);
    if (header) {
      const { columns, rows } = niftiShape(header);
      checkFramePixels('NIfTI', columns, rows, limits);
    }
    return encodePng(renderNiftiSlice(isGzip(bytes) ? gunzip(bytes, limits) : bytes, index));
  }
  if (isJpeg(bytes)) {
    singleImageFrame(index);
    const size = imageSize(bytes);
    if (size) checkFramePixels('JPEG', size.columns, size.rows, limits);
    try {
      const image = jpeg.decode(bytes, { formatAsRGBA: false, maxResolutionInMP: MAX_JPEG_MEGAPIXELS });
      return encodePng({ width: image.width, height: image.height, channels: 3, data: image.data });
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new NotImplementedHttpError(`cannot render: the stored JPEG does not decode (${String(err)})`);
    }
  }
  throw new NotImplementedHttpError(
    `frame rendering is not supported for mimetype '${source.mimetype ?? 'unknown'}'; supported: DICOM, NIfTI, PNG, JPEG`,
  );
}
