import { DicomError } from '../errors';
import type { ParsedDicom } from '../parse';
import { TransferSyntax } from '../transfer-syntax';
import type { CodecLoadOptions } from './codec-modules';
import { CorruptFrame, DicomDecodeError } from './decode-error';
import { decodeJpegBaseline } from './decode-jpeg';
import { decodeJpegLossless } from './decode-jpeg-lossless';
import { decodeJpegLs } from './decode-jpeg-ls';
import { decodeJpeg2000 } from './decode-jpeg2000';
import { decodeRle } from './decode-rle';
import { type PixelLayout, pixelLayoutOf, samplesPerFrame } from './pixel-layout';
import { planarToInterleaved } from './sample-order';

/** Options of {@link decodeFrame}. */
export interface DecodeFrameOptions extends CodecLoadOptions {
  /**
   * Largest image decoded, as Rows × Columns × NumberOfFrames in megapixels (default 512).
   * Larger files are refused before any pixel is decoded.
   */
  maxMegapixels?: number;
}

/** Pixel samples of one frame, one array element per sample. */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** One decoded frame: samples in native byte order, colour samples interleaved (RGBRGB...). */
export interface DecodedFrame {
  /**
   * Rows × Columns × SamplesPerPixel samples, row by row. Signed images are sign-extended from
   * BitsStored; BitsAllocated 1 gives one 0/1 byte per pixel.
   */
  pixels: PixelArray;
  /** Rows of the frame. */
  rows: number;
  /** Columns of the frame. */
  columns: number;
  /** Samples per pixel: 1 for grayscale, 3 for colour. */
  samplesPerPixel: number;
  /** BitsAllocated of the file (the sample size of `pixels` follows it). */
  bitsAllocated: number;
  /** BitsStored of the file. */
  bitsStored: number;
  /** PixelRepresentation 1: samples are signed. */
  signed: boolean;
  /**
   * Photometric interpretation of {@link pixels}: the file's, except RGB where the codec converted
   * colour (JPEG YCbCr, JPEG 2000 YBR_RCT/YBR_ICT).
   */
  photometricInterpretation: string;
  /** Transfer syntax the frame was stored in. */
  transferSyntaxUID: string;
}

/** Default of {@link DecodeFrameOptions.maxMegapixels}. */
export const DEFAULT_MAX_MEGAPIXELS = 512;

const NATIVE = new Set<string>([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

/** Transfer syntaxes {@link decodeFrame} decodes. Video (MPEG, HEVC) and HTJ2K are not among them. */
export const DECODABLE_TRANSFER_SYNTAXES: readonly string[] = [
  ...NATIVE,
  TransferSyntax.RLELossless,
  TransferSyntax.JPEGBaseline,
  TransferSyntax.JPEGExtended,
  TransferSyntax.JPEGLossless,
  TransferSyntax.JPEGLosslessSV1,
  TransferSyntax.JPEGLSLossless,
  TransferSyntax.JPEGLSNearLossless,
  TransferSyntax.JPEG2000Lossless,
  TransferSyntax.JPEG2000,
];

/**
 * Decodes frame `index` (zero-based) of a parsed DICOM image, whatever its transfer syntax:
 * native (little/big endian, deflated), RLE Lossless, JPEG baseline/extended (8-bit), JPEG
 * Lossless, JPEG-LS and JPEG 2000. The codecs are WebAssembly modules loaded on first use, so
 * parsing alone never loads them. Every failure is a {@link DicomDecodeError} naming the file and frame.
 */
export async function decodeFrame(
  parsed: ParsedDicom,
  index: number,
  options: DecodeFrameOptions = {},
): Promise<DecodedFrame> {
  const transferSyntaxUID = parsed.transferSyntaxUID;
  const fail = (message: string, cause?: unknown) =>
    new DicomDecodeError(message, { fileName: parsed.fileName, frame: index, transferSyntaxUID, cause });
  try {
    const frames = parsed.numberOfFrames;
    if (frames === 0) throw fail('the file has no PixelData');
    if (!Number.isInteger(index) || index < 0 || index >= frames) {
      throw fail(`frame ${index} does not exist (NumberOfFrames ${frames})`);
    }
    const layout = pixelLayoutOf(parsed);
    const limit = (options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS) * 1e6;
    const pixelsInFile = layout.rows * layout.columns * frames;
    if (pixelsInFile > limit) {
      throw fail(
        `${layout.rows}x${layout.columns}x${frames} frames is ${(pixelsInFile / 1e6).toFixed(1)} megapixels, above the limit of ${limit / 1e6}`,
      );
    }
    const { bytes, photometricInterpretation } = await decodeBytes(parsed, index, layout, options);
    return {
      pixels: toPixelArray(bytes, layout),
      rows: layout.rows,
      columns: layout.columns,
      samplesPerPixel: layout.samplesPerPixel,
      bitsAllocated: layout.bitsAllocated,
      bitsStored: layout.bitsStored,
      signed: layout.signed,
      photometricInterpretation,
      transferSyntaxUID,
    };
  } catch (e) {
    if (e instanceof DicomDecodeError) throw e;
    if (e instanceof CorruptFrame || e instanceof DicomError) throw fail(e.message, e);
    // Emscripten codecs throw numbers (C++ exception pointers) for corrupt bitstreams.
    throw fail(`the compressed frame is corrupt or truncated (codec error ${String(e)})`, e);
  }
}

interface DecodedBytes {
  /** Little endian samples, interleaved. */
  bytes: Uint8Array;
  photometricInterpretation: string;
}

async function decodeBytes(
  parsed: ParsedDicom,
  index: number,
  layout: PixelLayout,
  options: CodecLoadOptions,
): Promise<DecodedBytes> {
  const ts = parsed.transferSyntaxUID;
  const photometricInterpretation = layout.photometricInterpretation;
  const frame = parsed.frame(index);
  if (NATIVE.has(ts)) {
    if (parsed.isEncapsulated) throw new CorruptFrame('native transfer syntax with encapsulated pixel data');
    return { bytes: nativeBytes(parsed, frame, layout), photometricInterpretation };
  }
  const expected = samplesPerFrame(layout) * (layout.bitsAllocated / 8);
  let decoded: DecodedBytes;
  switch (ts) {
    case TransferSyntax.RLELossless:
      decoded = { bytes: decodeRle(frame, layout), photometricInterpretation };
      break;
    case TransferSyntax.JPEGLSLossless:
    case TransferSyntax.JPEGLSNearLossless:
      decoded = { bytes: await decodeJpegLs(frame, layout, options), photometricInterpretation };
      break;
    case TransferSyntax.JPEGLossless:
    case TransferSyntax.JPEGLosslessSV1:
      decoded = { bytes: await decodeJpegLossless(frame, layout), photometricInterpretation };
      break;
    case TransferSyntax.JPEGBaseline:
    case TransferSyntax.JPEGExtended:
      decoded = await decodeJpegBaseline(frame, layout, options);
      break;
    case TransferSyntax.JPEG2000Lossless:
    case TransferSyntax.JPEG2000:
      decoded = await decodeJpeg2000(frame, layout, options);
      break;
    default:
      throw new CorruptFrame(
        `no decoder for this transfer syntax; decoded are: ${DECODABLE_TRANSFER_SYNTAXES.join(', ')}`,
      );
  }
  if (decoded.bytes.length !== expected) {
    throw new CorruptFrame(`decoded ${decoded.bytes.length} bytes, the header declares ${expected}`);
  }
  return decoded;
}

/** A native frame in little endian, interleaved samples; always a copy the caller owns. */
function nativeBytes(parsed: ParsedDicom, frame: Uint8Array, layout: PixelLayout): Uint8Array {
  if (layout.bitsAllocated === 1) return unpackBits(frame, samplesPerFrame(layout));
  const expected = samplesPerFrame(layout) * (layout.bitsAllocated / 8);
  if (frame.length < expected)
    throw new CorruptFrame(`frame holds ${frame.length} bytes, expected ${expected}`);
  let bytes: Uint8Array = frame.slice(0, expected);
  if (!parsed.transferSyntax.littleEndian) {
    // 8-bit samples in an OW element are stored as swapped byte pairs in big endian files.
    const unit =
      layout.bitsAllocated > 8 ? layout.bitsAllocated / 8 : parsed.vr('PixelData') === 'OW' ? 2 : 1;
    swapInPlace(bytes, unit);
  }
  if (layout.planar && layout.samplesPerPixel > 1) bytes = planarToInterleaved(bytes, layout);
  return bytes;
}

function swapInPlace(b: Uint8Array, unit: number): void {
  if (unit <= 1) return;
  const whole = b.length - (b.length % unit);
  for (let i = 0; i < whole; i += unit) b.subarray(i, i + unit).reverse();
}

/** BitsAllocated 1: bits are packed least significant first. */
function unpackBits(frame: Uint8Array, count: number): Uint8Array {
  if (frame.length * 8 < count)
    throw new CorruptFrame(`frame holds ${frame.length * 8} bits, expected ${count}`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (frame[i >> 3] >> (i & 7)) & 1;
  return out;
}

function toPixelArray(bytes: Uint8Array, layout: PixelLayout): PixelArray {
  if (layout.bitsAllocated === 1) return bytes;
  const n = samplesPerFrame(layout);
  const own = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset } = own;
  let out: PixelArray;
  if (layout.bitsAllocated === 8)
    out = layout.signed ? new Int8Array(buffer, byteOffset, n) : new Uint8Array(buffer, byteOffset, n);
  else if (layout.bitsAllocated === 16)
    out = layout.signed ? new Int16Array(buffer, byteOffset, n) : new Uint16Array(buffer, byteOffset, n);
  else if (layout.bitsAllocated === 32)
    out = layout.signed ? new Int32Array(buffer, byteOffset, n) : new Uint32Array(buffer, byteOffset, n);
  else throw new CorruptFrame(`BitsAllocated ${layout.bitsAllocated} is not supported; 1, 8, 16 or 32`);
  if (layout.signed && layout.bitsStored < layout.bitsAllocated) {
    // Two's complement within BitsStored: bits above it may be zero or a copy of the sign.
    const shift = 32 - layout.bitsStored;
    for (let i = 0; i < n; i++) out[i] = (out[i] << shift) >> shift;
  }
  return out;
}
