import { type CharlsModule, type CodecLoadOptions, loadCharls } from './codec-modules';
import type { PixelLayout } from './pixel-layout';

/** Layouts JPEG-LS encodes losslessly here: 8/16-bit samples, 1 sample, or 3 full-resolution samples. */
export function jpegLsEncodable(layout: PixelLayout): string | undefined {
  if (layout.bitsAllocated !== 8 && layout.bitsAllocated !== 16) {
    return `BitsAllocated ${layout.bitsAllocated} (JPEG-LS takes 8 or 16)`;
  }
  if (layout.samplesPerPixel === 3 && !['RGB', 'YBR_FULL'].includes(layout.photometricInterpretation)) {
    return `PhotometricInterpretation ${layout.photometricInterpretation} with 3 samples (RGB or YBR_FULL only)`;
  }
  return undefined;
}

/**
 * The sample precision to declare: BitsStored when every stored sample fits in it (the usual case,
 * and what makes JPEG-LS compress well), else BitsAllocated, so that bits above BitsStored (sign
 * extension, overlays) survive and decoding gives back the very bytes.
 */
export function precisionOf(frame: Uint8Array, layout: PixelLayout): number {
  const stored = Math.max(2, layout.bitsStored);
  if (stored >= layout.bitsAllocated) return layout.bitsAllocated;
  return highBitsSet(frame, layout.bitsAllocated === 16, stored) ? layout.bitsAllocated : stored;
}

/**
 * True when a sample (8-bit, or 16-bit little endian) has a bit set at `stored` or above. The
 * samples are OR-ed a 32-bit word at a time and the combined bits tested, checked every 16 KiB so
 * a frame that has such bits stops early: a frame usually has none, so every sample is read, and
 * a comparison per sample made this scan a visible part of encoding a series.
 */
function highBitsSet(frame: Uint8Array, wide: boolean, stored: number): boolean {
  const sampleMask = wide ? (0xffff << stored) & 0xffff : (0xff << stored) & 0xff;
  const wordMask = wide ? sampleMask | (sampleMask << 16) : sampleMask * 0x01010101;
  const step = wide ? 2 : 1;
  const sampleAt = (i: number) => (wide ? frame[i]! | (frame[i + 1]! << 8) : frame[i]!);
  // Samples before the first 4-byte boundary and after the last whole word, one at a time. 16-bit
  // samples that start at an odd byte straddle the words' halves: such a frame is read sample by
  // sample (the encoder copies odd frames first, but the scan must not depend on its caller).
  const head =
    wide && frame.byteOffset & 1 ? frame.length : Math.min(frame.length, (4 - (frame.byteOffset & 3)) & 3);
  const words = (frame.length - head) >> 2;
  const tail = head + words * 4;
  for (let i = 0; i + step <= head; i += step) if (sampleAt(i) & sampleMask) return true;
  for (let i = tail; i + step <= frame.length; i += step) if (sampleAt(i) & sampleMask) return true;
  if (words === 0) return false;
  const view = new Uint32Array(frame.buffer, frame.byteOffset + head, words);
  let bits = 0;
  for (let i = 0; i < words; i++) {
    bits |= view[i]!;
    if ((i & 4095) === 4095 && bits & wordMask) return true;
  }
  return (bits & wordMask) !== 0;
}

/** An encoder bound to a loaded CharLS module: one call per frame. */
export type JpegLsFrameEncoder = (frame: Uint8Array) => Uint8Array;

/**
 * Returns a lossless JPEG-LS encoder for frames of `layout` in native little endian order.
 * Colour frames with PlanarConfiguration 1 are coded one scan per component (interleave mode 0),
 * interleaved ones sample by sample (mode 2), so the bytes are never rearranged.
 */
export async function jpegLsFrameEncoder(
  layout: PixelLayout,
  options: CodecLoadOptions = {},
): Promise<JpegLsFrameEncoder> {
  const charls = await loadCharls(options);
  return (frame) => encodeWith(charls, frame, layout);
}

function encodeWith(charls: CharlsModule, frame: Uint8Array, layout: PixelLayout): Uint8Array {
  // 16-bit samples are read through a Uint16Array: an odd offset needs a copy.
  const aligned = frame.byteOffset % 2 === 0 ? frame : frame.slice();
  const encoder = new charls.JpegLSEncoder();
  try {
    encoder
      .getDecodedBuffer({
        width: layout.columns,
        height: layout.rows,
        bitsPerSample: precisionOf(aligned, layout),
        componentCount: layout.samplesPerPixel,
      })
      .set(aligned);
    encoder.setNearLossless(0);
    if (layout.samplesPerPixel > 1) encoder.setInterleaveMode(layout.planar ? 0 : 2);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}
