import type { Readable } from 'node:stream';
import { decode as decodePng } from 'fast-png';
import yazl from 'yazl';
import { safeEntryName } from './annotated-dataset';
import type { AppContext } from './context';
import { HttpError } from './errors';
import { encodeJpeg, encodeNifti, encodeNpy, encodeTiff } from './image-encoders';
import { encodePng as encodePngRaster, type Raster } from './render/encode-png';
import { renderFrame } from './render/render-frame';
import { datasetResourceIds } from './repos/datasets';
import { findResource, type ResourceRow } from './repos/resources';

/** Formats of `GET /datasets/:id/download/:format`. */
export const DOWNLOAD_FORMATS = ['dicom', 'png', 'jpg', 'tiff', 'npy', 'nifti'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

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

function isDicom(row: ResourceRow): boolean {
  return row.mimetype === 'application/dicom' || row.storage.startsWith('Dicom');
}

function stem(filename: string): string {
  return safeEntryName(filename).replace(/(\.nii)?\.[^.]+$/i, '') || 'resource';
}

async function framesOf(ctx: AppContext, row: ResourceRow): Promise<Raster[]> {
  const count = row.number_of_frames ?? 1;
  const source = {
    path: ctx.store.pathOf(row.file_key),
    mimetype: row.mimetype,
    filename: row.filename,
    storage: row.storage,
  };
  const frames: Raster[] = [];
  for (let i = 0; i < count; i++) frames.push(pngToRaster(await renderFrame(source, i, ctx.decodeLimits)));
  return frames;
}

/** What one resource becomes in the archive: entries (name → bytes) or the reason it was skipped. */
async function entriesFor(
  ctx: AppContext,
  row: ResourceRow,
  format: DownloadFormat,
): Promise<Array<{ name: string; bytes?: Uint8Array; path?: string }>> {
  const dir = row.id;
  const base = stem(row.filename);
  if (format === 'dicom') {
    // Original bytes: DICOM as uploaded; other resources as stored too (nothing is converted to DICOM).
    const name =
      isDicom(row) && !/\.dcm$/i.test(row.filename)
        ? `${safeEntryName(row.filename)}.dcm`
        : safeEntryName(row.filename);
    return [{ name: `${dir}/${name}`, path: ctx.store.pathOf(row.file_key) }];
  }
  const frames = await framesOf(ctx, row);
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

/**
 * The dataset as a ZIP archive in `format`, streamed: `manifest.json` lists every resource with the
 * entries it produced, or why it was skipped (e.g. a video cannot be rendered to frames).
 */
export async function buildDatasetArchive(
  ctx: AppContext,
  customerId: string,
  dataset: { id: string; name: string },
  format: DownloadFormat,
): Promise<Readable> {
  const zip = new yazl.ZipFile();
  const manifest: Array<Record<string, unknown>> = [];
  for (const id of datasetResourceIds(ctx.db, dataset.id)) {
    const row = findResource(ctx.db, customerId, id);
    if (!row) continue;
    try {
      const entries = await entriesFor(ctx, row, format);
      for (const e of entries) {
        if (e.path) zip.addFile(e.path, e.name);
        else zip.addBuffer(Buffer.from(e.bytes!), e.name);
      }
      manifest.push({
        id,
        filename: row.filename,
        mimetype: row.mimetype,
        files: entries.map((e) => e.name),
      });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      manifest.push({ id, filename: row.filename, mimetype: row.mimetype, files: [], skipped: err.message });
    }
  }
  zip.addBuffer(
    Buffer.from(JSON.stringify({ id: dataset.id, name: dataset.name, format, resources: manifest }, null, 2)),
    'manifest.json',
  );
  zip.end();
  return zip.outputStream as unknown as Readable;
}
