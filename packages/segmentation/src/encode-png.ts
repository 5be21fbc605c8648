import { crc32 } from './checksum';
import { MaskShapeError } from './errors';
import { deflateMaskScanlines } from './run-deflate';
import type { BinaryFrame } from './volume';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Options of {@link encodeMaskPng}. */
export interface EncodeMaskPngOptions {
  /**
   * `rgb` (default): 8-bit RGB, what the platform's 1.x clients upload. `gray`: 8-bit grayscale,
   * what its current clients upload (a third of the pixel bytes).
   */
  colour?: 'rgb' | 'gray';
}

/**
 * Encodes a binary frame as the PNG the Python SDK uploads: 8-bit RGB (colour type 2), or 8-bit
 * grayscale (colour type 0) with `colour: 'gray'`, no alpha, 255 where `frame.data` is non-zero
 * and 0 elsewhere. Output is
 * deterministic: the same frame always gives the same bytes. Throws MaskShapeError when the size does
 * not match the data.
 * @example
 * ```ts
 * import { encodeMaskPng } from '@datamint/segmentation';
 *
 * const png = encodeMaskPng({ width: 2, height: 2, data: [1, 0, 0, 1] });
 * console.log(png.subarray(1, 4)); // "PNG"
 * ```
 */
export function encodeMaskPng(frame: BinaryFrame, options: EncodeMaskPngOptions = {}): Uint8Array {
  const { width, height, data } = frame;
  const colour = options.colour ?? 'rgb';
  if (colour !== 'rgb' && colour !== 'gray') {
    throw new MaskShapeError(`encodeMaskPng: colour must be "rgb" or "gray", got ${JSON.stringify(colour)}`, {
      field: 'colour',
      value: colour,
    });
  }
  for (const [field, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
      throw new MaskShapeError(`encodeMaskPng: ${field} must be an integer in 1..2^31-1, got ${value}`, {
        field,
        value,
      });
    }
  }
  if (data.length !== width * height) {
    throw new MaskShapeError(
      `encodeMaskPng: frame data has ${data.length} values but ${width}x${height} needs ${width * height}`,
      { field: 'data', value: data.length },
    );
  }
  const idat = deflateMaskScanlines(data, width, height, colour === 'gray' ? 1 : 3);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colour === 'gray' ? 0 : 2; // colour type grayscale or RGB
  // compression 0, filter method 0, no interlace

  const png = new Uint8Array(8 + (12 + 13) + (12 + idat.length) + 12);
  png.set(SIGNATURE, 0);
  let offset = 8;
  offset = writeChunk(png, offset, 'IHDR', ihdr);
  offset = writeChunk(png, offset, 'IDAT', idat);
  writeChunk(png, offset, 'IEND', new Uint8Array(0));
  return png;
}

function writeChunk(png: Uint8Array, offset: number, type: string, body: Uint8Array): number {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  view.setUint32(offset, body.length);
  for (let i = 0; i < 4; i++) png[offset + 4 + i] = type.charCodeAt(i);
  png.set(body, offset + 8);
  view.setUint32(offset + 8 + body.length, crc32(png, offset + 4, offset + 8 + body.length));
  return offset + 12 + body.length;
}
