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
function precisionOf(frame: Uint8Array, layout: PixelLayout): number {
  const stored = Math.max(2, layout.bitsStored);
  if (stored >= layout.bitsAllocated) return layout.bitsAllocated;
  const limit = 2 ** stored;
  if (layout.bitsAllocated === 8) {
    for (let i = 0; i < frame.length; i++) if (frame[i] >= limit) return 8;
    return stored;
  }
  const samples = new Uint16Array(frame.buffer, frame.byteOffset, frame.length >> 1);
  for (let i = 0; i < samples.length; i++) if (samples[i] >= limit) return 16;
  return stored;
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
