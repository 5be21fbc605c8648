import { encode } from 'fast-png';
import jpeg from 'jpeg-js';

/** A gray PNG whose pixel (x, y) is (x + y * width) % 256. */
export function grayPng(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = i % 256;
  return encode({ width, height, data, channels: 1, depth: 8 });
}

/** A solid-colour baseline JPEG. */
export function solidJpeg(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = rgb[0];
    data[i * 4 + 1] = rgb[1];
    data[i * 4 + 2] = rgb[2];
    data[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data }, 95).data);
}
