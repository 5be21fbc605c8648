import type { ParsedDicom } from '../parse';
import { CorruptFrame } from './decode-error';

/** The image pixel module attributes that size and interpret one frame. */
export interface PixelLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  /** PixelRepresentation 1: two's complement samples. */
  signed: boolean;
  /** PlanarConfiguration 1: one plane per sample (RRR..GGG..BBB..) in native pixel data. */
  planar: boolean;
  photometricInterpretation: string;
}

function positive(parsed: ParsedDicom, keyword: string): number {
  const value = parsed.number(keyword);
  if (value === undefined || !Number.isInteger(value) || value <= 0) {
    throw new CorruptFrame(`${keyword} is ${value ?? 'missing'}, expected a positive integer`);
  }
  return value;
}

/** Reads and checks the pixel layout of a parsed image. */
export function pixelLayoutOf(parsed: ParsedDicom): PixelLayout {
  const bitsAllocated = positive(parsed, 'BitsAllocated');
  if (bitsAllocated !== 1 && bitsAllocated % 8 !== 0) {
    throw new CorruptFrame(`BitsAllocated is ${bitsAllocated}, expected 1 or a multiple of 8`);
  }
  const samplesPerPixel = parsed.number('SamplesPerPixel') ?? 1;
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new CorruptFrame(`SamplesPerPixel is ${samplesPerPixel}, expected 1 or 3`);
  }
  const stored = parsed.number('BitsStored');
  return {
    rows: positive(parsed, 'Rows'),
    columns: positive(parsed, 'Columns'),
    samplesPerPixel,
    bitsAllocated,
    bitsStored: stored !== undefined && stored > 0 && stored <= bitsAllocated ? stored : bitsAllocated,
    signed: parsed.number('PixelRepresentation') === 1,
    planar: parsed.number('PlanarConfiguration') === 1,
    photometricInterpretation: (parsed.string('PhotometricInterpretation') ?? 'MONOCHROME2').toUpperCase(),
  };
}

/** Samples in one frame. */
export function samplesPerFrame(layout: PixelLayout): number {
  return layout.rows * layout.columns * layout.samplesPerPixel;
}
