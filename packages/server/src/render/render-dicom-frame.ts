import {
  type DecodedFrame,
  type DicomDataset,
  DicomError,
  decodeFrame,
  type ParsedDicom,
  type PixelArray,
} from '@datamint/dicom';
import { BadRequestError, NotImplementedHttpError } from '../errors';
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

function toGray(values: PixelArray, transform: ValueTransform, invert: boolean): Uint8Array {
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

/** Interleaved 8-bit RGB or YBR_FULL samples to RGB. */
function toRgb(frame: DecodedFrame): Uint8Array {
  if (frame.bitsAllocated !== 8) {
    throw new NotImplementedHttpError(
      `cannot render ${frame.bitsAllocated}-bit colour images; only 8-bit RGB`,
    );
  }
  const n = frame.rows * frame.columns;
  const ybr = frame.photometricInterpretation === 'YBR_FULL';
  const p = frame.pixels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = ybr
      ? ybrToRgb(p[i * 3], p[i * 3 + 1], p[i * 3 + 2])
      : [p[i * 3], p[i * 3 + 1], p[i * 3 + 2]];
    out[i * 3] = r;
    out[i * 3 + 1] = g;
    out[i * 3 + 2] = b;
  }
  return out;
}

async function decode(parsed: ParsedDicom, index: number): Promise<DecodedFrame> {
  try {
    return await decodeFrame(parsed, index);
  } catch (err) {
    if (err instanceof DicomError) throw new NotImplementedHttpError(`cannot render: ${err.message}`);
    throw err;
  }
}

/**
 * Renders frame `index` of a DICOM image to 8-bit pixels: grayscale through the file's rescale and
 * window (min/max when it has none; MONOCHROME1 inverted), RGB/YBR_FULL as RGB. Pixel data of every
 * transfer syntax `@datamint/dicom`'s decodeFrame reads is rendered; frames it cannot decode
 * (video, corrupt bitstreams) are a 501 naming the file, frame and transfer syntax.
 */
export async function renderDicomFrame(parsed: ParsedDicom, index: number): Promise<Raster> {
  const frames = parsed.numberOfFrames;
  if (frames === 0) throw new NotImplementedHttpError('cannot render: the DICOM file has no pixel data');
  if (index >= frames) {
    throw new BadRequestError(`Frame index out of range: ${index} (the resource has ${frames} frames)`);
  }
  const frame = await decode(parsed, index);
  const width = frame.columns;
  const height = frame.rows;
  const photometric = frame.photometricInterpretation;
  if (frame.samplesPerPixel === 3 && ['RGB', 'YBR_FULL'].includes(photometric)) {
    return { width, height, channels: 3, data: toRgb(frame) };
  }
  if (frame.samplesPerPixel !== 1 || !photometric.startsWith('MONOCHROME')) {
    throw new NotImplementedHttpError(
      `cannot render photometric interpretation ${photometric} with ${frame.samplesPerPixel} samples per pixel`,
    );
  }
  const data = toGray(frame.pixels, valueTransform(parsed, index), photometric === 'MONOCHROME1');
  return { width, height, channels: 1, data };
}
