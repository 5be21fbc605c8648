import { decode as decodePng } from 'fast-png';
import { encodeJpeg, encodeNifti, encodeNpy, encodeTiff } from './image-encoders';
import type { DecodeLimits } from './render/decode-limits';
import { encodePng as encodePngRaster, type Raster } from './render/encode-png';
import { type FrameSource, renderFrame } from './render/render-frame';

/** Formats of `GET /datasets/:id/download/:format`. */
export const DOWNLOAD_FORMATS = ['dicom', 'png', 'jpg', 'tiff', 'npy', 'nifti'] as const;
/** One of {@link DOWNLOAD_FORMATS}. */
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

/** One file of a dataset archive: its name and either its bytes or the stored file to copy. */
export interface ArchiveEntry {
  name: string;
  bytes?: Uint8Array;
  path?: string;
}

/** What the render workers need to turn one resource's frames into archive entries. */
export interface ArchiveFramesRequest {
  source: FrameSource;
  count: number;
  format: Exclude<DownloadFormat, 'dicom'>;
  /** Folder of the resource's entries. */
  dir: string;
  /** File name stem of its entries. */
  base: string;
  limits: DecodeLimits;
}

/** A decoded frame as an 8-bit gray or RGB raster (16-bit scaled down, alpha dropped, palettes expanded). */
export function pngToRaster(bytes: Uint8Array): Raster {
  const png = decodePng(bytes);
  const { width, height } = png;
  const source = png.data;
  const inChannels = png.channels;
  const eight = (v: number) =>
    png.depth === 16 ? v >> 8 : png.depth < 8 ? Math.round((v * 255) / (2 ** png.depth - 1)) : v;
  if (png.palette) {
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      const entry = png.palette[source[i]!] ?? [0, 0, 0];
      data.set([entry[0]!, entry[1]!, entry[2]!], i * 3);
    }
    return { width, height, channels: 3, data };
  }
  const channels: 1 | 3 = inChannels >= 3 ? 3 : 1;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < channels; c++) data[i * channels + c] = eight(source[i * inChannels + c]!);
  }
  return { width, height, channels, data };
}

/** Every frame of a resource rendered and encoded in the archive's format (in a render worker). */
export async function archiveFrameEntries(request: ArchiveFramesRequest): Promise<ArchiveEntry[]> {
  const { source, count, format, dir, base, limits } = request;
  const frames: Raster[] = [];
  for (let i = 0; i < count; i++) frames.push(pngToRaster(await renderFrame(source, i, limits)));
  const pad = String(frames.length - 1).length;
  const frameName = (i: number, ext: string) => `${dir}/${base}_${String(i).padStart(pad, '0')}.${ext}`;
  switch (format) {
    case 'png':
      return frames.map((f, i) => ({ name: frameName(i, 'png'), bytes: encodePngRaster(f) }));
    case 'jpg':
      return frames.map((f, i) => ({ name: frameName(i, 'jpg'), bytes: encodeJpeg(f) }));
    case 'tiff':
      return frames.map((f, i) => ({ name: frameName(i, 'tiff'), bytes: encodeTiff(f) }));
    case 'npy':
      return [{ name: `${dir}/${base}.npy`, bytes: encodeNpy(frames) }];
    case 'nifti':
      return [{ name: `${dir}/${base}.nii`, bytes: encodeNifti(frames) }];
  }
}
