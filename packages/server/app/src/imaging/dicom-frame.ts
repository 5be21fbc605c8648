import type { ParsedDicom } from '@datamint/dicom';
import type { GrayFrame } from './window-level';

/**
 * One native grayscale frame of a parsed DICOM file as stored values, ready for window/level, or
 * `undefined` when the page cannot show it itself (compressed or colour pixels, unusual bit depths):
 * the viewer then shows the server's rendering of the frame instead.
 */
export function grayFrameOf(parsed: ParsedDicom, index: number): GrayFrame | undefined {
  if (parsed.isEncapsulated) return undefined;
  if ((parsed.number('SamplesPerPixel') ?? 1) !== 1) return undefined;
  const width = parsed.number('Columns');
  const height = parsed.number('Rows');
  const bits = parsed.number('BitsAllocated');
  if (!width || !height || (bits !== 8 && bits !== 16)) return undefined;
  const signed = parsed.number('PixelRepresentation') === 1;
  const bytes = parsed.frame(index);
  const count = width * height;
  if (bytes.byteLength < count * (bits / 8)) return undefined;
  let pixels: GrayFrame['pixels'];
  if (bits === 8) {
    // A copy: masking stored bits below must not change the downloaded file's bytes.
    pixels = signed
      ? new Int8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count))
      : bytes.slice(0, count);
  } else {
    // Copy into an aligned buffer in the file's byte order (a big endian file is swapped here).
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    const little = parsed.transferSyntax.littleEndian;
    const out = signed ? new Int16Array(count) : new Uint16Array(count);
    for (let i = 0; i < count; i++)
      out[i] = signed ? view.getInt16(i * 2, little) : view.getUint16(i * 2, little);
    pixels = out;
  }
  const stored = parsed.number('BitsStored') ?? bits;
  if (stored < bits) maskStoredBits(pixels, stored, signed);
  return {
    width,
    height,
    pixels,
    slope: parsed.number('RescaleSlope') ?? 1,
    intercept: parsed.number('RescaleIntercept') ?? 0,
    inverted: parsed.string('PhotometricInterpretation') === 'MONOCHROME1',
  };
}

// Bits above BitsStored may hold overlays or garbage; signed values are sign-extended from BitsStored.
function maskStoredBits(pixels: GrayFrame['pixels'], stored: number, signed: boolean): void {
  const mask = (1 << stored) - 1;
  const sign = 1 << (stored - 1);
  for (let i = 0; i < pixels.length; i++) {
    let v = (pixels[i] ?? 0) & mask;
    if (signed && v & sign) v -= 1 << stored;
    pixels[i] = v;
  }
}

/** The window the file suggests (first WindowCenter/WindowWidth), if any. */
export function fileWindow(parsed: ParsedDicom): { center: number; width: number } | undefined {
  const center = parsed.number('WindowCenter');
  const width = parsed.number('WindowWidth');
  return center !== undefined && width !== undefined && width > 0 ? { center, width } : undefined;
}
