import { readFile } from 'node:fs/promises';
import { DicomError, parseDicom } from '@datamint/dicom';
import jpeg from 'jpeg-js';
import { BadRequestError, HttpError, NotImplementedHttpError } from '../errors';
import { isJpeg, isPng } from '../image-header';
import { looksLikeDicom } from '../mimetypes';
import { encodePng } from './encode-png';
import { renderDicomFrame } from './render-dicom-frame';

export interface FrameSource {
  path: string;
  mimetype: string | null;
  filename: string;
}

/** Largest JPEG we decode, in megapixels (jpeg-js allocates the whole raster). */
const MAX_JPEG_MEGAPIXELS = 100;

function singleImageFrame(index: number): void {
  if (index !== 0) throw new BadRequestError(`Frame index out of range: ${index} (the resource has 1 frame)`);
}

/**
 * PNG bytes of frame `index`: uncompressed DICOM is rendered, PNG is returned as stored, JPEG is
 * re-encoded. Anything else (video, NIfTI, compressed DICOM) is a 501.
 */
export async function renderFrame(source: FrameSource, index: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(source.path));
  if (looksLikeDicom(bytes) || source.mimetype === 'application/dicom') {
    let parsed: ReturnType<typeof parseDicom>;
    try {
      parsed = parseDicom(bytes, { fileName: source.filename });
    } catch (err) {
      const reason = err instanceof DicomError ? err.message : String(err);
      throw new NotImplementedHttpError(`cannot render: the stored file is not readable DICOM (${reason})`);
    }
    return encodePng(renderDicomFrame(parsed, index));
  }
  if (isPng(bytes)) {
    singleImageFrame(index);
    return bytes;
  }
  if (isJpeg(bytes)) {
    singleImageFrame(index);
    try {
      const image = jpeg.decode(bytes, { formatAsRGBA: false, maxResolutionInMP: MAX_JPEG_MEGAPIXELS });
      return encodePng({ width: image.width, height: image.height, channels: 3, data: image.data });
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new NotImplementedHttpError(`cannot render: the stored JPEG does not decode (${String(err)})`);
    }
  }
  throw new NotImplementedHttpError(
    `frame rendering is not supported for mimetype '${source.mimetype ?? 'unknown'}'; supported: uncompressed DICOM, PNG, JPEG`,
  );
}
