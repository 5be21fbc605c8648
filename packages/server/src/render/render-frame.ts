import { readFile } from 'node:fs/promises';
import { DicomError, parseDicom } from '@datamint/dicom';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { BadRequestError, HttpError, NotImplementedHttpError } from '../errors';
import { imageSize, isJpeg, isPng, pngDeclaredBytes } from '../image-header';
import { looksLikeDicom } from '../mimetypes';
import { parseNiftiHeader } from '../nifti';
import { readNiftiBounded } from '../nifti-bounded';
import {
  checkDecodedBytes,
  checkFramePixels,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
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

function singleImageFrame(index: number): void {
  if (index !== 0) throw new BadRequestError(`Frame index out of range: ${index} (the resource has 1 frame)`);
}

/** A DICOM frame's declared size, checked before its pixel data is decoded. */
function checkDicomFrame(parsed: ReturnType<typeof parseDicom>, limits: DecodeLimits): void {
  const rows = parsed.number('Rows') ?? 0;
  const columns = parsed.number('Columns') ?? 0;
  const subject = 'cannot render: the stored DICOM';
  checkFramePixels(subject, columns, rows, limits);
  const samples = parsed.number('SamplesPerPixel') ?? 1;
  const bits = parsed.number('BitsAllocated') ?? 8;
  checkDecodedBytes(subject, Math.ceil((rows * columns * samples * bits) / 8), limits);
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
    checkDicomFrame(parsed, limits);
    return encodePng(await renderDicomFrame(parsed, index));
  }
  if (isPng(bytes)) {
    singleImageFrame(index);
    const size = imageSize(bytes);
    if (size) checkFramePixels('cannot render: the stored PNG', size.columns, size.rows, limits);
    checkDecodedBytes('cannot render: the stored PNG', pngDeclaredBytes(bytes) ?? 0, limits);
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
    const nifti = await readNiftiBounded(
      source.path,
      'cannot render: the stored NIfTI',
      limits,
      (reason) =>
        new NotImplementedHttpError(`cannot render: the stored NIfTI does not decompress (${reason})`),
    );
    return encodePng(renderNiftiSlice(nifti?.bytes ?? bytes, index));
  }
  if (isJpeg(bytes)) {
    singleImageFrame(index);
    const size = imageSize(bytes);
    if (size) checkFramePixels('cannot render: the stored JPEG', size.columns, size.rows, limits);
    try {
      const image = jpeg.decode(bytes, {
        formatAsRGBA: false,
        maxResolutionInMP: limits.maxFramePixels / 1_000_000,
      });
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
