import type { PixelLayout } from './pixel-layout';

/** RRR..GGG..BBB.. to RGBRGB.. for samples of `bitsAllocated / 8` bytes. */
export function planarToInterleaved(bytes: Uint8Array, layout: PixelLayout): Uint8Array {
  const pixels = layout.rows * layout.columns;
  const spp = layout.samplesPerPixel;
  const size = layout.bitsAllocated / 8;
  const out = new Uint8Array(pixels * spp * size);
  for (let s = 0; s < spp; s++) {
    for (let i = 0; i < pixels; i++) {
      for (let k = 0; k < size; k++) out[(i * spp + s) * size + k] = bytes[(s * pixels + i) * size + k];
    }
  }
  return out;
}
