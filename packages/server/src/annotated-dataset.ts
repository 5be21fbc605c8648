import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyReply } from 'fastify';
import yazl from 'yazl';
import type { AppContext } from './context';
import { type AnnotationRow, annotationsOfResources } from './repos/annotations';
import { datasetResourceIds, findDataset } from './repos/datasets';
import type { ProjectRow } from './repos/projects';
import { getResourceJson, type ResourceJson } from './repos/resources';

export interface ExportOptions {
  /** false: only annotations of the project's worklist; true: every annotation on its resources. */
  allAnnotations: boolean;
  /** Also export resources that have no (selected) annotation. */
  includeUnannotated: boolean;
}

/** File names inside the ZIP come from user input: keep them to one harmless path component. */
export function safeEntryName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? 'file' : cleaned.slice(0, 200);
}

interface ExportAnnotation {
  id: string;
  type: string;
  name: string;
  value: string | null;
  index: number | null;
  scope: string;
  added_by: string;
  created_at: string;
  geometry: unknown;
  is_model: boolean;
  annotation_worklist_id: string | null;
  file?: string;
}

function exportAnnotation(a: AnnotationRow, maskPath: string | undefined): ExportAnnotation {
  return {
    id: a.id,
    type: a.type,
    name: a.name,
    value: a.value,
    index: a.frame_index,
    scope: a.scope,
    added_by: a.added_by,
    created_at: a.created_at,
    geometry: a.geometry ? JSON.parse(a.geometry) : null,
    is_model: a.is_model !== 0,
    annotation_worklist_id: a.worklist_id,
    ...(maskPath ? { file: maskPath } : {}),
  };
}

/**
 * Streams the project export (layout of spec Appendix B): `dataset.json` at the root, the resource
 * files under `images/<resource id>/<name>`, the masks under `masks/<resource id>/<annotation id>.png`.
 * Entries are stored uncompressed so the total size, hence `Content-Length`, is known up front.
 */
export async function streamAnnotatedDataset(
  ctx: AppContext,
  project: ProjectRow,
  options: ExportOptions,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { db, store } = ctx;
  const customerId = project.customer_id;
  const resourceIds = datasetResourceIds(db, project.dataset_id);
  const annotations = annotationsOfResources(
    db,
    resourceIds,
    options.allAnnotations ? undefined : project.worklist_id,
  ).filter((a) => a.customer_id === customerId);
  const byResource = new Map<string, AnnotationRow[]>();
  for (const a of annotations) {
    const list = byResource.get(a.resource_id) ?? [];
    list.push(a);
    byResource.set(a.resource_id, list);
  }

  const zip = new yazl.ZipFile();
  const entryOptions = { compress: false, mtime: new Date(project.created_at) };
  const exported: Array<Record<string, unknown>> = [];
  for (const id of resourceIds) {
    const anns = byResource.get(id) ?? [];
    if (anns.length === 0 && !options.includeUnannotated) continue;
    const resource = getResourceJson(db, customerId, id);
    if (!resource) continue;
    const row = db.prepare('SELECT file_key FROM resources WHERE id = ?').get(id) as { file_key: string };
    const filePath = `images/${id}/${safeEntryName(resource.filename)}`;
    zip.addFile(store.pathOf(row.file_key), filePath, entryOptions);
    const entries = anns.map((a) => {
      if (!a.file_key) return exportAnnotation(a, undefined);
      const maskPath = `masks/${id}/${a.id}.png`;
      zip.addFile(store.pathOf(a.file_key), maskPath, entryOptions);
      return exportAnnotation(a, maskPath);
    });
    exported.push({ ...describe(resource), file: filePath, annotations: entries });
  }
  const dataset = findDataset(db, customerId, project.dataset_id);
  const manifest = {
    id: project.dataset_id,
    name: dataset?.name ?? project.name,
    project: { id: project.id, name: project.name, worklist_id: project.worklist_id },
    all_annotations: options.allAnnotations,
    updated_at: dataset?.updated_at ?? project.created_at,
    resources: exported,
  };
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), 'dataset.json', entryOptions);

  // @types/yazl omits the callback's argument: the total size, or -1 when it cannot be known.
  const end = zip.end as unknown as (options: object, onSize: (total: number) => void) => void;
  const size = await new Promise<number>((resolve) => end.call(zip, {}, resolve));
  const output = zip.outputStream as unknown as Readable;
  zip.on('error', (err: Error) => output.destroy(err));
  void ctx.track(finished(output).catch(() => undefined));
  reply
    .code(200)
    .header('content-type', 'application/zip')
    .header('content-disposition', `attachment; filename="${safeEntryName(project.name)}.zip"`);
  if (size >= 0) reply.header('content-length', String(size));
  return reply.send(output);
}

function describe(r: ResourceJson): Record<string, unknown> {
  return {
    id: r.id,
    filename: r.filename,
    mimetype: r.mimetype,
    modality: r.modality,
    size: r.size,
    status: r.status,
    tags: r.tags,
    metadata: r.metadata,
    source_filepath: r.source_filepath,
    created_at: r.created_at,
    created_by: r.created_by,
    rows: r.rows,
    columns: r.columns,
    number_of_frames: r.number_of_frames,
  };
}
