import type { DataSet } from 'dicom-parser';
import { DicomError } from '../errors';
import { type ParsedDicom, parseDicom } from '../parse';
import { toExplicitLittleEndian } from '../transcode';
import { TransferSyntax } from '../transfer-syntax';
import { encodeFileMeta } from '../write';
import type { CodecLoadOptions } from './codec-modules';
import { encapsulatedFile } from './encapsulate';
import { jpegLsEncodable, jpegLsFrameEncoder } from './encode-jpeg-ls';
import { pixelLayoutOf } from './pixel-layout';

const PIXEL_DATA = 'x7fe00010';

/** The pixel data is of a kind JPEG-LS does not hold; the file is fine as it is. */
export class JpegLsRefused extends DicomError {}

/** The message for a file that cannot be written as JPEG-LS, naming it when it has a name. */
export function jpegLsRefusalMessage(fileName: string | undefined, refusal: string): string {
  return `${fileName ? `file ${fileName}: ` : ''}cannot write JPEG-LS: ${refusal}`;
}

/** Why a parsed native file cannot be written as JPEG-LS, or undefined when it can. */
export function jpegLsRefusal(parsed: ParsedDicom): string | undefined {
  if (!parsed.pixelData) return 'no PixelData';
  if (parsed.isEncapsulated) return 'pixel data is already compressed';
  try {
    return jpegLsEncodable(pixelLayoutOf(parsed));
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Rewrites a Part 10 file with native little endian pixel data as JPEG-LS Lossless
 * (1.2.840.10008.1.2.4.80): the same data set in Explicit VR Little Endian, then encapsulated pixel
 * data with a Basic Offset Table and one fragment per frame. Decoding gives back every frame's
 * bytes exactly. Throws {@link JpegLsRefused} for pixel data JPEG-LS cannot hold (32-bit, YBR_FULL_422, already
 * compressed...), a DicomError for anything else.
 */
export async function compressToJpegLs(
  bytes: Uint8Array,
  options: CodecLoadOptions & { fileName?: string } = {},
): Promise<Uint8Array> {
  const label = options.fileName ? `file ${options.fileName}: ` : '';
  const parsed = parseDicom(bytes, { fileName: options.fileName, headerOnly: true });
  const refusal = jpegLsRefusal(parsed);
  if (refusal) throw new JpegLsRefused(jpegLsRefusalMessage(options.fileName, refusal));
  const ts = parsed.transferSyntax;
  if (!ts.littleEndian || ts.deflated) {
    throw new DicomError(`${label}cannot write JPEG-LS from ${ts.uid}: only little endian, not deflated`);
  }
  const layout = pixelLayoutOf(parsed);
  const pixel = parsed.element(PIXEL_DATA);
  if (!pixel) throw new DicomError(`${label}no PixelData`);
  let body: Uint8Array;
  if (ts.explicitVR) {
    body = parsed.bytes.subarray(parsed.dataSetStart, pixel.headerOffset);
  } else {
    const elements = { ...parsed.dataSet.elements };
    delete elements[PIXEL_DATA];
    body = toExplicitLittleEndian({ ...parsed.dataSet, elements } as DataSet, false);
  }
  const encode = await jpegLsFrameEncoder(layout, options);
  const frames: Uint8Array[] = [];
  for (let k = 0; k < parsed.numberOfFrames; k++) frames.push(encode(parsed.frame(k)));
  const meta = encodeFileMeta({
    sopClassUID: parsed.string('SOPClassUID') ?? '',
    sopInstanceUID: parsed.string('SOPInstanceUID') ?? '',
    transferSyntaxUID: TransferSyntax.JPEGLSLossless,
  });
  return encapsulatedFile(meta, body, frames);
}
