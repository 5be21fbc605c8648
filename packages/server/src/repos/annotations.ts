import { ANNOTATION_TYPES, type AnnotationType } from '@datamint/core/internal';
import { geometryForCurrentReaders } from '../annotation-geometry';
import type { Db } from '../db/open-database';
import type { Page } from '../query';
import { pageSql } from '../query';
import { type JsonValue, parseJsonColumn } from './json';
import { missingIds } from './missing-ids';

export { ANNOTATION_TYPES, type AnnotationType };
export const ANNOTATION_SCOPES = ['image', 'frame'] as const;
export type AnnotationScope = (typeof ANNOTATION_SCOPES)[number];

export interface AnnotationRow {
  id: string;
  customer_id: string;
  resource_id: string;
  name: string;
  type: AnnotationType;
  scope: AnnotationScope;
  frame_index: number | null;
  value: string | null;
  geometry: string | null;
  worklist_id: string | null;
  imported_from: string | null;
  import_author: string | null;
  added_by: string;
  model_id: string | null;
  is_model: number;
  units: string | null;
  status: string;
  created_at: string;
  file_key: string | null;
  file_mimetype: string | null;
  deleted: number;
  /** Volume segmentations: the uploaded `segmentation_map` as JSON, and this annotation's label value. */
  class_map: string | null;
  label_value: number | null;
  source: string | null;
  project_id: string | null;
  approved_at: string | null;
  approved_by: string | null;
}

/** Columns a creating request may leave out (null when absent). */
type OptionalOnInsert = 'class_map' | 'label_value' | 'source' | 'project_id' | 'approved_at' | 'approved_by';

/** An annotation as the API returns it (§3.6). */
export interface AnnotationJson {
  id: string;
  resource_id: string;
  name: string;
  identifier: string;
  type: AnnotationType;
  scope: AnnotationScope;
  index: number | null;
  frame_index: number | null;
  /** Numbers for `integer`/`float` annotations, text otherwise. */
  value: string | number | null;
  geometry: JsonValue;
  annotation_worklist_id: string | null;
  imported_from: string | null;
  import_author: string | null;
  added_by: string;
  created_at: string;
  is_model: boolean;
  model_id: string | null;
  units: string | null;
  status: string;
  /** URL path of the attached mask, null without one. */
  file: string | null;
  deleted: boolean;
  /** The current platform's key names for `type` and `added_by`. */
  annotation_type: AnnotationType;
  created_by: string;
  /** Volume segmentations only: label value → name, as uploaded. */
  class_map?: Record<string, string>;
  label_value?: number;
  source: string | null;
  project_id: string | null;
  approved_at: string | null;
  approved_by: string | null;
}

export type NewAnnotation = Omit<AnnotationRow, 'file_key' | 'file_mimetype' | 'deleted' | OptionalOnInsert> &
  Partial<Pick<AnnotationRow, OptionalOnInsert | 'file_key' | 'file_mimetype'>>;

export function insertAnnotation(db: Db, a: NewAnnotation): void {
  db.prepare(
    `INSERT INTO annotations (id, customer_id, resource_id, name, type, scope, frame_index, value, geometry,
       worklist_id, imported_from, import_author, added_by, model_id, is_model, units, status, created_at,
       class_map, label_value, source, project_id, file_key, file_mimetype)
     VALUES (@id, @customer_id, @resource_id, @name, @type, @scope, @frame_index, @value, @geometry,
       @worklist_id, @imported_from, @import_author, @added_by, @model_id, @is_model, @units, @status, @created_at,
       @class_map, @label_value, @source, @project_id, @file_key, @file_mimetype)`,
  ).run({
    class_map: null,
    label_value: null,
    source: null,
    project_id: null,
    file_key: null,
    file_mimetype: null,
    ...a,
  });
}

export function maskUrl(resourceId: string, annotationId: string): string {
  return `/annotations/${resourceId}/annotations/${annotationId}/file`;
}

/** `integer`/`float` annotations answer their value as a JSON number, as the current SDK reads it. */
function numericValue(row: AnnotationRow): string | number | null {
  if ((row.type === 'integer' || row.type === 'float') && row.value !== null && row.value.trim() !== '') {
    const n = Number(row.value);
    if (Number.isFinite(n)) return n;
  }
  return row.value;
}

/** An annotation as the current platform's clients read it: boxes always with their 4 corners. */
export function currentAnnotationJson(row: AnnotationRow): AnnotationJson {
  return forCurrentReaders(annotationJson(row));
}

/** {@link currentAnnotationJson} for an annotation already in its JSON form. */
export function forCurrentReaders(json: AnnotationJson): AnnotationJson {
  return { ...json, geometry: geometryForCurrentReaders(json.type, json.geometry) };
}

export function annotationJson(row: AnnotationRow): AnnotationJson {
  return {
    id: row.id,
    resource_id: row.resource_id,
    name: row.name,
    identifier: row.name,
    type: row.type,
    scope: row.scope,
    index: row.frame_index,
    frame_index: row.frame_index,
    value: numericValue(row),
    geometry: parseJsonColumn<JsonValue>(row.geometry, null),
    annotation_worklist_id: row.worklist_id,
    imported_from: row.imported_from,
    import_author: row.import_author,
    added_by: row.added_by,
    created_at: row.created_at,
    is_model: row.is_model !== 0,
    model_id: row.model_id,
    units: row.units,
    status: row.status,
    file: row.file_key ? maskUrl(row.resource_id, row.id) : null,
    deleted: row.deleted !== 0,
    annotation_type: row.type,
    created_by: row.added_by,
    ...(row.class_map === null
      ? {}
      : {
          class_map: parseJsonColumn<Record<string, string>>(row.class_map, {}),
          label_value: row.label_value ?? 0,
        }),
    source: row.source,
    project_id: row.project_id,
    approved_at: row.approved_at,
    approved_by: row.approved_by,
  };
}

export function findAnnotation(db: Db, customerId: string, id: string): AnnotationRow | undefined {
  return db
    .prepare('SELECT * FROM annotations WHERE id = ? AND customer_id = ? AND deleted = 0')
    .get(id, customerId) as AnnotationRow | undefined;
}

export interface AnnotationQuery {
  customerId: string;
  resourceId?: string;
  /** Any of these resources (the current platform's search accepts many). */
  resourceIds?: string[];
  type?: string;
  annotatorEmail?: string;
  from?: string;
  to?: string;
  datasetId?: string;
  worklistId?: string;
  status?: string;
  loadAiSegmentations?: boolean;
}

export function listAnnotations(
  db: Db,
  q: AnnotationQuery,
  page: Page,
): { items: AnnotationJson[]; total: number } {
  const clauses = [
    'a.customer_id = ?',
    'a.deleted = 0',
    'EXISTS (SELECT 1 FROM resources r WHERE r.id = a.resource_id AND r.deleted = 0)',
  ];
  const params: Array<string | number> = [q.customerId];
  const add = (sql: string, value: string) => {
    clauses.push(sql);
    params.push(value);
  };
  if (q.resourceId !== undefined) add('a.resource_id = ?', q.resourceId);
  if (q.resourceIds !== undefined) {
    add('a.resource_id IN (SELECT value FROM json_each(?))', JSON.stringify(q.resourceIds));
  }
  if (q.type !== undefined) add('a.type = ?', q.type);
  if (q.annotatorEmail !== undefined) add('a.added_by = ?', q.annotatorEmail);
  if (q.from !== undefined) add('a.created_at >= ?', q.from);
  if (q.to !== undefined) add('a.created_at <= ?', q.to);
  if (q.worklistId !== undefined) add('a.worklist_id = ?', q.worklistId);
  if (q.status !== undefined) add('a.status = ?', q.status);
  if (q.datasetId !== undefined) {
    add(
      'EXISTS (SELECT 1 FROM dataset_resources dr WHERE dr.dataset_id = ? AND dr.resource_id = a.resource_id)',
      q.datasetId,
    );
  }
  // AI-made segmentations are hidden unless asked for (the SDK's documented default is false).
  if (q.loadAiSegmentations !== true) clauses.push("NOT (a.type = 'segmentation' AND a.is_model = 1)");
  const where = clauses.join(' AND ');
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM annotations a WHERE ${where}`).get(...params) as { n: number }
  ).n;
  const limit = pageSql(page);
  const rows = db
    .prepare(`SELECT a.* FROM annotations a WHERE ${where} ORDER BY a.seq${limit.sql}`)
    .all(...params, ...limit.params) as AnnotationRow[];
  return { items: rows.map(annotationJson), total };
}

export function setAnnotationFile(db: Db, id: string, key: string, mimetype: string): void {
  db.prepare('UPDATE annotations SET file_key = ?, file_mimetype = ? WHERE id = ?').run(key, mimetype, id);
}

export function renameAnnotation(db: Db, id: string, name: string): void {
  db.prepare('UPDATE annotations SET name = ? WHERE id = ?').run(name, id);
}

export function setAnnotationProject(db: Db, id: string, projectId: string): void {
  db.prepare('UPDATE annotations SET project_id = ? WHERE id = ?').run(projectId, id);
}

/** Approving publishes the annotation (status `published`, which the search's `status` filter reads). */
export function approveAnnotation(db: Db, id: string, by: string, at: string): void {
  db.prepare(
    "UPDATE annotations SET status = 'published', approved_at = ?, approved_by = ? WHERE id = ?",
  ).run(at, by, id);
}

/** The ids among `ids` that name no live annotation of the customer. */
export function missingAnnotations(db: Db, customerId: string, ids: readonly string[]): string[] {
  return missingIds(db, 'annotations', customerId, ids);
}

export function softDeleteAnnotation(db: Db, id: string): void {
  db.prepare('UPDATE annotations SET deleted = 1 WHERE id = ?').run(id);
}

/** Live annotations on the given resources, optionally limited to one worklist. */
export function annotationsOfResources(db: Db, resourceIds: string[], worklistId?: string): AnnotationRow[] {
  if (resourceIds.length === 0) return [];
  const worklistClause = worklistId ? ' AND worklist_id = ?' : '';
  const params = worklistId ? [JSON.stringify(resourceIds), worklistId] : [JSON.stringify(resourceIds)];
  return db
    .prepare(
      `SELECT * FROM annotations WHERE deleted = 0 AND resource_id IN (SELECT value FROM json_each(?))${worklistClause}
       ORDER BY seq`,
    )
    .all(...params) as AnnotationRow[];
}
