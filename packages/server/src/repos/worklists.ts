import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open-database';
import type { Page } from '../query';
import { pageSql } from '../query';
import { type JsonValue, parseJsonColumn } from './json';

export type WorklistStatus = 'new' | 'updating' | 'active' | 'completed';
export const WORKLIST_STATUSES: readonly WorklistStatus[] = ['new', 'updating', 'active', 'completed'];

interface WorklistRow {
  id: string;
  customer_id: string;
  name: string;
  description: string | null;
  status: WorklistStatus;
  annotators: string;
  annotations: string;
  frame_labels: string;
  image_labels: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  segmentation_data: string | null;
  extra: string;
}

export interface WorklistJson {
  [extra: string]: JsonValue;
  id: string;
  name: string;
  description: string | null;
  status: WorklistStatus;
  annotators: JsonValue[];
  annotations: JsonValue[];
  frame_labels: string[];
  image_labels: string[];
  resource_ids: string[];
  project_id: string | null;
  customer_id: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface NewWorklist {
  customerId: string;
  name: string;
  description: string | null;
  annotators: JsonValue[];
  annotations: JsonValue[];
  frameLabels: string[];
  imageLabels: string[];
  resourceIds: string[];
  by: string;
  at: string;
  segmentationData?: JsonValue;
  extra?: Record<string, JsonValue>;
}

export function createWorklist(db: Db, w: NewWorklist): string {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO worklists (id, customer_id, name, description, status, annotators, annotations, frame_labels,
       image_labels, created_at, created_by, updated_at, segmentation_data, extra)
     VALUES (?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    w.customerId,
    w.name,
    w.description,
    JSON.stringify(w.annotators),
    JSON.stringify(w.annotations),
    JSON.stringify(w.frameLabels),
    JSON.stringify(w.imageLabels),
    w.at,
    w.by,
    w.at,
    w.segmentationData === undefined ? null : JSON.stringify(w.segmentationData),
    JSON.stringify(w.extra ?? {}),
  );
  const insert = db.prepare(
    'INSERT OR IGNORE INTO worklist_resources (worklist_id, resource_id) VALUES (?, ?)',
  );
  for (const rid of w.resourceIds) insert.run(id, rid);
  return id;
}

/** Annotators as the current SDK requires them: objects with `email` and `status`. */
function annotatorJson(value: JsonValue): JsonValue {
  if (typeof value === 'string') return { email: value, status: 'active', expertise_level: null };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return { status: 'active', expertise_level: null, ...value };
  }
  return value;
}

function toJson(db: Db, row: WorklistRow): WorklistJson {
  const resourceIds = (
    db
      .prepare(
        `SELECT wr.resource_id AS id FROM worklist_resources wr JOIN resources r ON r.id = wr.resource_id
         WHERE wr.worklist_id = ? AND r.deleted = 0 ORDER BY wr.rowid`,
      )
      .all(row.id) as Array<{ id: string }>
  ).map((r) => r.id);
  const project = db.prepare('SELECT id FROM projects WHERE worklist_id = ?').get(row.id) as
    | { id: string }
    | undefined;
  return {
    ...parseJsonColumn<Record<string, JsonValue>>(row.extra, {}),
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    annotators: parseJsonColumn<JsonValue[]>(row.annotators, []).map(annotatorJson),
    segmentation_data: parseJsonColumn<JsonValue>(row.segmentation_data, null),
    annotations: parseJsonColumn<JsonValue[]>(row.annotations, []),
    frame_labels: parseJsonColumn<string[]>(row.frame_labels, []),
    image_labels: parseJsonColumn<string[]>(row.image_labels, []),
    resource_ids: resourceIds,
    project_id: project?.id ?? null,
    customer_id: row.customer_id,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function worklistExists(db: Db, customerId: string, id: string): boolean {
  return (
    db.prepare('SELECT 1 FROM worklists WHERE id = ? AND customer_id = ?').get(id, customerId) !== undefined
  );
}

export function getWorklist(db: Db, customerId: string, id: string): WorklistJson | undefined {
  const row = db.prepare('SELECT * FROM worklists WHERE id = ? AND customer_id = ?').get(id, customerId) as
    | WorklistRow
    | undefined;
  return row ? toJson(db, row) : undefined;
}

export function listWorklists(
  db: Db,
  customerId: string,
  status: WorklistStatus | undefined,
  page: Page,
): { items: WorklistJson[]; total: number } {
  const where = status ? 'customer_id = ? AND status = ?' : 'customer_id = ?';
  const params = status ? [customerId, status] : [customerId];
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM worklists WHERE ${where}`).get(...params) as { n: number }
  ).n;
  const limit = pageSql(page);
  const rows = db
    .prepare(`SELECT * FROM worklists WHERE ${where} ORDER BY seq${limit.sql}`)
    .all(...params, ...limit.params) as WorklistRow[];
  return { items: rows.map((r) => toJson(db, r)), total };
}

/** The raw stored row (for routes that update JSON columns). */
export function findWorklistRow(db: Db, customerId: string, id: string): WorklistRow | undefined {
  return db.prepare('SELECT * FROM worklists WHERE id = ? AND customer_id = ?').get(id, customerId) as
    | WorklistRow
    | undefined;
}

export type { WorklistRow };

/** Replaces one JSON column of a worklist (`annotators`, `segmentation_data`, `extra`). */
export function setWorklistJson(
  db: Db,
  id: string,
  column: 'annotators' | 'segmentation_data' | 'extra',
  value: JsonValue,
  at: string,
): void {
  db.prepare(`UPDATE worklists SET ${column} = ?, updated_at = ? WHERE id = ?`).run(
    JSON.stringify(value),
    at,
    id,
  );
}

export function addWorklistResources(db: Db, id: string, resourceIds: readonly string[]): void {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO worklist_resources (worklist_id, resource_id) VALUES (?, ?)',
  );
  for (const rid of resourceIds) insert.run(id, rid);
}

export function removeWorklistResources(db: Db, id: string, resourceIds: readonly string[]): void {
  const remove = db.prepare('DELETE FROM worklist_resources WHERE worklist_id = ? AND resource_id = ?');
  for (const rid of resourceIds) remove.run(id, rid);
}

export function worklistHasResource(db: Db, id: string, resourceId: string): boolean {
  return (
    db
      .prepare('SELECT 1 FROM worklist_resources WHERE worklist_id = ? AND resource_id = ?')
      .get(id, resourceId) !== undefined
  );
}

/** One annotator's status on one resource of a worklist. */
export interface WorklistStatusJson {
  worklist_id: string;
  resource_id: string;
  annotator: string;
  status: string;
  message: string | null;
  updated_at: string;
}

export function setWorklistStatus(db: Db, s: WorklistStatusJson): void {
  db.prepare(
    `INSERT INTO worklist_resource_status (worklist_id, resource_id, annotator, status, message, updated_at)
     VALUES (@worklist_id, @resource_id, @annotator, @status, @message, @updated_at)
     ON CONFLICT (worklist_id, resource_id, annotator) DO UPDATE SET status = excluded.status,
       message = excluded.message, updated_at = excluded.updated_at`,
  ).run(s);
}

export function listWorklistStatuses(
  db: Db,
  id: string,
  f: { status?: string; annotator?: string; resourceId?: string },
): WorklistStatusJson[] {
  const clauses = ['worklist_id = ?'];
  const params: string[] = [id];
  for (const [sql, v] of [
    ['status = ?', f.status],
    ['annotator = ?', f.annotator],
    ['resource_id = ?', f.resourceId],
  ] as const) {
    if (v === undefined) continue;
    clauses.push(sql);
    params.push(v);
  }
  return db
    .prepare(`SELECT * FROM worklist_resource_status WHERE ${clauses.join(' AND ')} ORDER BY rowid`)
    .all(...params) as WorklistStatusJson[];
}

export function resetWorklistStatus(db: Db, id: string, resourceId: string, annotator: string): number {
  return db
    .prepare(
      'DELETE FROM worklist_resource_status WHERE worklist_id = ? AND resource_id = ? AND annotator = ?',
    )
    .run(id, resourceId, annotator).changes;
}

export interface WorklistPatch {
  name?: string;
  description?: string | null;
  status?: WorklistStatus;
  annotations?: JsonValue[];
  frameLabels?: string[];
  imageLabels?: string[];
}

export function patchWorklist(db: Db, id: string, patch: WorklistPatch, at: string): void {
  const sets: string[] = [];
  const params: Array<string | null> = [];
  const set = (column: string, value: string | null) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (patch.name !== undefined) set('name', patch.name);
  if (patch.description !== undefined) set('description', patch.description);
  if (patch.status !== undefined) set('status', patch.status);
  if (patch.annotations !== undefined) set('annotations', JSON.stringify(patch.annotations));
  if (patch.frameLabels !== undefined) set('frame_labels', JSON.stringify(patch.frameLabels));
  if (patch.imageLabels !== undefined) set('image_labels', JSON.stringify(patch.imageLabels));
  set('updated_at', at);
  db.prepare(`UPDATE worklists SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
}
