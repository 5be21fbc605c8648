import { type DicomDataset, type ParsedDicom, TransferSyntax } from '@datamint/dicom';
import jpeg from 'jpeg-js';
import { BadRequestError, NotImplementedHttpError } from '../errors';
import { decodeRleFrame } from './decode-rle';
import type { Raster } from './encode-png';

interface Window {
  center: number;
  width: number;
}

interface ValueTransform {
  slope: number;
  intercept: number;
  window: Window | undefined;
}

const PER_FRAME = 'PerFrameFunctionalGroupsSequence';
const SHARED = 'SharedFunctionalGroupsSequence';

/** First item of `sequence` inside a functional group item (enhanced multi-frame objects). */
function groupItem(group: DicomDataset | undefined, sequence: string): DicomDataset | undefined {
  return group?.sequence(sequence)?.[0];
}

function windowOf(ds: DicomDataset | undefined): Window | undefined {
  const center = ds?.number('WindowCenter');
  const width = ds?.number('WindowWidth');
  if (center === undefined || width === undefined || !(width >= 1)) return undefined;
  return { center, width };
}

/**
 * Rescale and VOI window for one frame: per-frame functional groups override the shared ones,
 * which override the top-level attributes of classic images.
 */
function valueTransform(parsed: ParsedDicom, frame: number): ValueTransform {
  const perFrame = parsed.sequence(PER_FRAME)?.[frame];
  const shared = parsed.sequence(SHARED)?.[0];
  const sources: Array<DicomDataset | undefined> = [
    groupItem(perFrame, 'PixelValueTransformationSequence'),
    groupItem(shared, 'PixelValueTransformationSequence'),
    parsed,
  ];
  const rescale = sources.find((s) => s?.number('RescaleSlope') !== undefined);
  const voi = [groupItem(perFrame, 'FrameVOILUTSequence'), groupItem(shared, 'FrameVOILUTSequence'), parsed]
    .map(windowOf)
    .find((w) => w !== undefined);
  return {
    slope: rescale?.number('RescaleSlope') ?? 1,
    intercept: rescale?.number('RescaleIntercept') ?? 0,
    window: voi,
  };
}

interface PixelLayout {
  rows: number;
  columns: number;
  samples: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  planar: boolean;
  photometric: string;
}

function required(parsed: ParsedDicom, keyword: string): number {
  const value = parsed.number(keyword);
  if (value === undefined || !Number.isInteger(value) || value <= 0) {
    throw new NotImplementedHttpError(`cannot render: the DICOM file has no usable ${keyword}`);
  }
  return value;
}

function layoutOf(parsed: ParsedDicom): PixelLayout {
  const bitsAllocated = required(parsed, 'BitsAllocated');
  return {
    rows: required(parsed, 'Rows'),
    columns: required(parsed, 'Columns'),
    samples: parsed.number('SamplesPerPixel') ?? 1,
    bitsAllocated,
    bitsStored: parsed.number('BitsStored') ?? bitsAllocated,
    signed: parsed.number('PixelRepresentation') === 1,
    planar: parsed.number('PlanarConfiguration') === 1,
    photometric: (parsed.string('PhotometricInterpretation') ?? 'MONOCHROME2').toUpperCase(),
  };
}

/** Stored values of one sample plane as numbers (sign and BitsStored applied). */
function readSamples(bytes: Uint8Array, layout: PixelLayout, littleEndian: boolean): Float64Array {
  const count = layout.rows * layout.columns * layout.samples;
  const step = layout.bitsAllocated / 8;
  if (bytes.length < count * step) {
    throw new NotImplementedHttpError(
      `cannot render: frame holds ${bytes.length} bytes, expected ${count * step} for ${layout.rows}x${layout.columns}x${layout.samples} at ${layout.bitsAllocated} bits`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  const stored = Math.min(layout.bitsStored, layout.bitsAllocated);
  const mask = stored >= 32 ? 0xffffffff : 2 ** stored - 1;
  const signBit = 2 ** (stored - 1);
  for (let i = 0; i < count; i++) {
    let raw: number;
    if (step === 1) raw = bytes[i];
    else if (step === 2) raw = view.getUint16(i * 2, littleEndian);
    else raw = view.getUint32(i * 4, littleEndian);
    let value = stored >= 32 ? raw : raw % (mask + 1);
    if (layout.signed && value >= signBit) value -= 2 * signBit;
    out[i] = value;
  }
  return out;
}

function toGray(values: Float64Array, transform: ValueTransform, invert: boolean): Uint8Array {
  const out = new Uint8Array(values.length);
  const modality = new Float64Array(values.length);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] * transform.slope + transform.intercept;
    modality[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const w = transform.window;
  for (let i = 0; i < values.length; i++) {
    const v = modality[i];
    let g: number;
    if (w) {
      // DICOM PS3.3 C.11.2.1.2 linear VOI function.
      const lower = w.center - 0.5 - (w.width - 1) / 2;
      const upper = w.center - 0.5 + (w.width - 1) / 2;
      if (v <= lower) g = 0;
      else if (v > upper) g = 255;
      else g = ((v - (w.center - 0.5)) / (w.width - 1) + 0.5) * 255;
    } else {
      g = max > min ? ((v - min) / (max - min)) * 255 : 0;
    }
    const byte = Math.max(0, Math.min(255, Math.round(g)));
    out[i] = invert ? 255 - byte : byte;
  }
  return out;
}

function ybrToRgb(y: number, cb: number, cr: number): [number, number, number] {
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return [
    clamp(y + 1.402 * (cr - 128)),
    clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)),
    clamp(y + 1.772 * (cb - 128)),
  ];
}

function toRgb(bytes: Uint8Array, layout: PixelLayout): Uint8Array {
  const n = layout.rows * layout.columns;
  if (layout.bitsAllocated !== 8) {
    throw new NotImplementedHttpError(
      `cannot render ${layout.bitsAllocated}-bit colour images; only 8-bit RGB`,
    );
  }
  if (bytes.length < n * 3) {
    throw new NotImplementedHttpError(`cannot render: frame holds ${bytes.length} bytes, expected ${n * 3}`);
  }
  const ybr = layout.photometric === 'YBR_FULL';
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = layout.planar ? bytes[i] : bytes[i * 3];
    const b = layout.planar ? bytes[n + i] : bytes[i * 3 + 1];
    const c = layout.planar ? bytes[2 * n + i] : bytes[i * 3 + 2];
    const [r, g, bl] = ybr ? ybrToRgb(a, b, c) : [a, b, c];
    out[i * 3] = r;
    out[i * 3 + 1] = g;
    out[i * 3 + 2] = bl;
  }
  return out;
}

const NATIVE_SYNTAXES = new Set<string>([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

/** Frame pixels in a native layout, whatever the transfer syntax they were stored in. */
interface DecodedFrame {
  bytes: Uint8Array;
  littleEndian: boolean;
  layout: PixelLayout;
}

function readFrame(parsed: ParsedDicom, index: number): Uint8Array {
  try {
    return parsed.frame(index);
  } catch (err) {
    throw new NotImplementedHttpError(`cannot read frame ${index}: ${(err as Error).message}`);
  }
}

/** Largest JPEG frame decoded, in megapixels (jpeg-js allocates the whole raster). */
const MAX_JPEG_MEGAPIXELS = 100;

function decodeFrame(parsed: ParsedDicom, index: number, layout: PixelLayout): DecodedFrame {
  const ts = parsed.transferSyntaxUID;
  if (NATIVE_SYNTAXES.has(ts) && !parsed.isEncapsulated) {
    return { bytes: readFrame(parsed, index), littleEndian: parsed.transferSyntax.littleEndian, layout };
  }
  if (ts === TransferSyntax.RLELossless) {
    const bytes = decodeRleFrame(readFrame(parsed, index), layout);
    return { bytes, littleEndian: true, layout: { ...layout, planar: layout.samples > 1 } };
  }
  if (ts === TransferSyntax.JPEGBaseline && layout.bitsAllocated === 8) {
    let image: { width: number; height: number; data: Uint8Array };
    try {
      image = jpeg.decode(readFrame(parsed, index), {
        formatAsRGBA: false,
        maxResolutionInMP: MAX_JPEG_MEGAPIXELS,
      });
    } catch (err) {
      throw new NotImplementedHttpError(`cannot decode JPEG frame ${index}: ${String(err)}`);
    }
    const decodedLayout = { ...layout, rows: image.height, columns: image.width, planar: false };
    if (layout.samples === 1) {
      // jpeg-js always returns three channels; a grayscale JPEG repeats its value in each.
      const gray = new Uint8Array(image.width * image.height);
      for (let i = 0; i < gray.length; i++) gray[i] = image.data[i * 3];
      return { bytes: gray, littleEndian: true, layout: decodedLayout };
    }
    // jpeg-js converts YCbCr to RGB itself.
    return { bytes: image.data, littleEndian: true, layout: { ...decodedLayout, photometric: 'RGB' } };
  }
  throw new NotImplementedHttpError(
    `cannot render frames of compressed DICOM (transfer syntax ${ts}); only uncompressed, RLE Lossless and 8-bit JPEG Baseline files are decoded`,
  );
}

/**
 * Renders frame `index` of a DICOM image to 8-bit pixels: grayscale through the file's rescale and
 * window (min/max when it has none; MONOCHROME1 inverted), RGB/YBR_FULL as RGB. Native, RLE
 * Lossless and 8-bit JPEG Baseline pixel data are decoded; other compressions are a 501.
 */
export function renderDicomFrame(parsed: ParsedDicom, index: number): Raster {
  const frames = parsed.numberOfFrames;
  if (frames === 0) throw new NotImplementedHttpError('cannot render: the DICOM file has no pixel data');
  if (index >= frames) {
    throw new BadRequestError(`Frame index out of range: ${index} (the resource has ${frames} frames)`);
  }
  const stored = layoutOf(parsed);
  if (![8, 16, 32].includes(stored.bitsAllocated)) {
    throw new NotImplementedHttpError(
      `cannot render ${stored.bitsAllocated}-bit pixel data; only 8, 16 and 32`,
    );
  }
  const { bytes, littleEndian, layout } = decodeFrame(parsed, index, stored);
  const width = layout.columns;
  const height = layout.rows;
  if (layout.samples === 3 && ['RGB', 'YBR_FULL'].includes(layout.photometric)) {
    return { width, height, channels: 3, data: toRgb(bytes, layout) };
  }
  if (layout.samples !== 1 || !layout.photometric.startsWith('MONOCHROME')) {
    throw new NotImplementedHttpError(
      `cannot render photometric interpretation ${layout.photometric} with ${layout.samples} samples per pixel`,
    );
  }
  const values = readSamples(bytes, layout, littleEndian);
  const data = toGray(values, valueTransform(parsed, index), layout.photometric === 'MONOCHROME1');
  return { width, height, channels: 1, data };
}
