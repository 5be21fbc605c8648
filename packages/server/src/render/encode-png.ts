import { encode } from 'fast-png';

/** 8-bit grayscale (1 channel) or RGB (3 channels) pixels, row-major. */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export function encodePng(raster: Raster): Uint8Array {
  return encode({
    width: raster.width,
    height: raster.height,
    data: raster.data,
    channels: raster.channels,
    depth: 8,
  });
}
