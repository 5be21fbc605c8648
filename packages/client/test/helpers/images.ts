import { encode } from 'fast-png';

/** A gray 8-bit PNG whose pixel (x, y) is `(x * 7 + y * 13 + seed) & 255`, so every file differs. */
export function grayPng(width: number, height: number, seed = 0): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (x * 7 + y * 13 + seed) & 255;
  }
  return encode({ width, height, data, channels: 1, depth: 8 });
}

/** A label mask PNG (gray 8-bit) from a function of the pixel. */
export function maskPng(width: number, height: number, label: (x: number, y: number) => number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = label(x, y);
  return encode({ width, height, data, channels: 1, depth: 8 });
}
