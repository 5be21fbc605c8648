import jpeg from 'jpeg-js';
import type { Raster } from './render/encode-png';

/** Baseline JPEG (quality 95) of an 8-bit gray or RGB raster. */
export function encodeJpeg(raster: Raster): Uint8Array {
  const { width, height, channels, data } = raster;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = data[i * channels + (channels === 1 ? 0 : c)]!;
    rgba[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, 95).data);
}

/**
 * Baseline TIFF (little endian, uncompressed, one strip) of an 8-bit gray or RGB raster: the subset
 * every TIFF reader accepts.
 */
export function encodeTiff(raster: Raster): Uint8Array {
  const { width, height, channels, data } = raster;
  const entries: Array<[tag: number, type: number, count: number, value: number]> = [];
  const headerSize = 8;
  const pixelsAt = headerSize;
  const pixelBytes = width * height * channels;
  // Word-aligned IFD after the pixels; RGB needs an out-of-line BitsPerSample array.
  const bitsAt = pixelsAt + pixelBytes + (pixelBytes % 2);
  const ifdAt = bitsAt + (channels === 3 ? 6 : 0);
  entries.push([256, 4, 1, width]); // ImageWidth
  entries.push([257, 4, 1, height]); // ImageLength
  entries.push([258, 3, channels, channels === 3 ? bitsAt : 8]); // BitsPerSample
  entries.push([259, 3, 1, 1]); // Compression: none
  entries.push([262, 3, 1, channels === 3 ? 2 : 1]); // Photometric: RGB or BlackIsZero
  entries.push([273, 4, 1, pixelsAt]); // StripOffsets
  entries.push([277, 3, 1, channels]); // SamplesPerPixel
  entries.push([278, 4, 1, height]); // RowsPerStrip
  entries.push([279, 4, 1, pixelBytes]); // StripByteCounts
  const out = new Uint8Array(ifdAt + 2 + entries.length * 12 + 4);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49], 0);
  view.setUint16(2, 42, true);
  view.setUint32(4, ifdAt, true);
  out.set(data.subarray(0, pixelBytes), pixelsAt);
  if (channels === 3) for (let c = 0; c < 3; c++) view.setUint16(bitsAt + c * 2, 8, true);
  view.setUint16(ifdAt, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdAt + 2 + i * 12;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    if (type === 3 && count === 1) view.setUint16(at + 8, value, true);
    else view.setUint32(at + 8, value, true);
  });
  view.setUint32(ifdAt + 2 + entries.length * 12, 0, true);
  return out;
}

/** Frames of one size stacked as a NumPy `.npy` (version 1.0) uint8 array: (frames, rows, columns[, 3]). */
export function encodeNpy(frames: readonly Raster[]): Uint8Array {
  const first = frames[0]!;
  const shape = [frames.length, first.height, first.width, ...(first.channels === 3 ? [3] : [])];
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  // The preamble (10 bytes) plus header, newline-terminated, is padded to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const body = frames.reduce((n, f) => n + f.data.length, 0);
  const out = new Uint8Array(total + body);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  let at = total;
  for (const f of frames) {
    out.set(f.data, at);
    at += f.data.length;
  }
  return out;
}

/** Gray frames of one size as a single-file NIfTI-1 uint8 volume (columns, rows, frames), unit voxels. */
export function encodeNifti(frames: readonly Raster[]): Uint8Array {
  const first = frames[0]!;
  const voxels = first.width * first.height * frames.length;
  const out = new Uint8Array(352 + voxels);
  const view = new DataView(out.buffer);
  view.setInt32(0, 348, true);
  view.setInt16(40, 3, true);
  view.setInt16(42, first.width, true);
  view.setInt16(44, first.height, true);
  view.setInt16(46, frames.length, true);
  for (let i = 4; i < 8; i++) view.setInt16(40 + i * 2, 1, true);
  view.setInt16(70, 2, true); // datatype: unsigned char
  view.setInt16(72, 8, true); // bitpix
  for (let i = 0; i < 8; i++) view.setFloat32(76 + i * 4, 1, true); // pixdim
  view.setFloat32(108, 352, true); // vox_offset
  out.set(new TextEncoder().encode('n+1\0'), 344);
  let at = 352;
  for (const f of frames) {
    for (let i = 0; i < f.width * f.height; i++) out[at++] = f.data[i * f.channels]!;
  }
  return out;
}
