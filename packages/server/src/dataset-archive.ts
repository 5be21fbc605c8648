import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { safeEntryName } from './annotated-dataset';
import type { ArchiveEntry, DownloadFormat } from './archive-frames';
import type { AppContext } from './context';
import { HttpError } from './errors';
import { datasetResourceIds } from './repos/datasets';
import { findResource, type ResourceRow } from './repos/resources';

export { DOWNLOAD_FORMATS, type DownloadFormat } from './archive-frames';

function isDicom(row: ResourceRow): boolean {
  return row.mimetype === 'application/dicom' || row.storage.startsWith('Dicom');
}

function stem(filename: string): string {
  return safeEntryName(filename).replace(/(\.nii)?\.[^.]+$/i, '') || 'resource';
}

/** What one resource becomes in the archive: entries (name → bytes) or the reason it was skipped. */
async function entriesFor(
  ctx: AppContext,
  row: ResourceRow,
  format: DownloadFormat,
): Promise<ArchiveEntry[]> {
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
  return ctx.render.run('archiveEntries', {
    source: {
      path: ctx.store.pathOf(row.file_key),
      mimetype: row.mimetype,
      filename: row.filename,
      storage: row.storage,
    },
    count: row.number_of_frames ?? 1,
    format,
    dir,
    base,
    limits: ctx.decodeLimits,
  });
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
