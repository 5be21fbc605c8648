import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open-database';
import { type Page, pageSql } from '../query';
import { type JsonValue, parseJsonColumn } from './json';

export interface ProjectRow {
  id: string;
  customer_id: string;
  name: string;
  description: string | null;
  dataset_id: string;
  worklist_id: string;
  is_active_learning: number;
  two_up_display: number;
  require_review: number;
  created_at: string;
  created_by: string;
  archived: number;
  pinned_metrics: string;
  extra: string;
}

/** A project as the API returns it (§3.2); counts are strings as in the production fixture. */
export interface ProjectJson {
  id: string;
  name: string;
  description: string | null;
  customer_id: string;
  created_at: string;
  created_by: string;
  dataset_id: string;
  worklist_id: string;
  is_active_learning: boolean;
  two_up_display: boolean;
  require_review: boolean;
  ai_model_id: null;
  viewable_ai_segs: null;
  editable_ai_segs: null;
  resource_count: string;
  annotated_resource_count: string;
  most_recent_experiment: null;
  closed_resources_count: string;
  resources_to_annotate_count: number;
  archived: boolean;
  pinned_metrics: JsonValue[];
}

export type NewProject = Omit<ProjectRow, 'id' | 'archived' | 'pinned_metrics' | 'extra'>;

export function insertProject(db: Db, p: NewProject): string {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO projects (id, customer_id, name, description, dataset_id, worklist_id, is_active_learning,
       two_up_display, require_review, created_at, created_by)
     VALUES (@id, @customer_id, @name, @description, @dataset_id, @worklist_id, @is_active_learning,
       @two_up_display, @require_review, @created_at, @created_by)`,
  ).run({ ...p, id });
  return id;
}

export function findProject(db: Db, customerId: string, id: string): ProjectRow | undefined {
  return db.prepare('SELECT * FROM projects WHERE id = ? AND customer_id = ?').get(id, customerId) as
    | ProjectRow
    | undefined;
}

export function projectNameTaken(db: Db, customerId: string, name: string): boolean {
  return (
    db.prepare('SELECT 1 FROM projects WHERE customer_id = ? AND name = ?').get(customerId, name) !==
    undefined
  );
}

export function projectJson(db: Db, p: ProjectRow): ProjectJson {
  const counts = db
    .prepare(
      `SELECT COUNT(*) AS total,
         SUM(EXISTS (SELECT 1 FROM annotations a WHERE a.resource_id = r.id AND a.deleted = 0
                     AND a.worklist_id = ?)) AS annotated
       FROM dataset_resources dr JOIN resources r ON r.id = dr.resource_id
       WHERE dr.dataset_id = ? AND r.deleted = 0`,
    )
    .get(p.worklist_id, p.dataset_id) as { total: number; annotated: number | null };
  const annotated = counts.annotated ?? 0;
  const closed = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM project_resource_status s JOIN resources r ON r.id = s.resource_id
         WHERE s.project_id = ? AND s.status = 'closed' AND r.deleted = 0`,
      )
      .get(p.id) as { n: number }
  ).n;
  return {
    ...parseJsonColumn<Record<string, JsonValue>>(p.extra, {}),
    id: p.id,
    name: p.name,
    description: p.description,
    customer_id: p.customer_id,
    created_at: p.created_at,
    created_by: p.created_by,
    dataset_id: p.dataset_id,
    worklist_id: p.worklist_id,
    is_active_learning: p.is_active_learning !== 0,
    two_up_display: p.two_up_display !== 0,
    require_review: p.require_review !== 0,
    ai_model_id: null,
    viewable_ai_segs: null,
    editable_ai_segs: null,
    resource_count: String(counts.total),
    annotated_resource_count: String(annotated),
    most_recent_experiment: null,
    closed_resources_count: String(closed),
    resources_to_annotate_count: counts.total - annotated,
    archived: p.archived !== 0,
    pinned_metrics: parseJsonColumn<JsonValue[]>(p.pinned_metrics, []),
  };
}

/** The customer's projects, oldest first; archived ones only when asked for. */
export function listProjects(
  db: Db,
  customerId: string,
  options: { includeArchived: boolean; page: Page },
): { items: ProjectJson[]; total: number } {
  const where = options.includeArchived ? 'customer_id = ?' : 'customer_id = ? AND archived = 0';
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM projects WHERE ${where}`).get(customerId) as { n: number }
  ).n;
  const limit = pageSql(options.page);
  const rows = db
    .prepare(`SELECT * FROM projects WHERE ${where} ORDER BY seq${limit.sql}`)
    .all(customerId, ...limit.params) as ProjectRow[];
  return { items: rows.map((r) => projectJson(db, r)), total };
}

const PROJECT_COLUMNS = [
  'name',
  'description',
  'archived',
  'is_active_learning',
  'two_up_display',
  'require_review',
];
/** Keys that are computed or owned by the server: a patch cannot set them. */
const READ_ONLY = new Set(['id', 'customer_id', 'created_at', 'created_by', 'dataset_id', 'worklist_id']);

/** Applies a validated partial update; keys without a column are kept in `extra` and echoed back. */
export function patchProject(db: Db, p: ProjectRow, patch: Record<string, JsonValue>): void {
  const extra = parseJsonColumn<Record<string, JsonValue>>(p.extra, {});
  const sets: string[] = [];
  const params: Array<string | number | null> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (READ_ONLY.has(key)) continue;
    if (PROJECT_COLUMNS.includes(key)) {
      sets.push(`${key} = ?`);
      params.push(typeof value === 'boolean' ? Number(value) : (value as string | null));
    } else if (key === 'pinned_metrics') {
      sets.push('pinned_metrics = ?');
      params.push(JSON.stringify(value));
    } else {
      extra[key] = value;
    }
  }
  sets.push('extra = ?');
  params.push(JSON.stringify(extra));
  db.prepare(`UPDATE projects SET ${sets.join(', ')} WHERE id = ?`).run(...params, p.id);
}

/** Removes the project only: its dataset, worklist and resources stay (as on the platform). */
export function deleteProject(db: Db, id: string): void {
  db.prepare('DELETE FROM project_resource_status WHERE project_id = ?').run(id);
  db.prepare('DELETE FROM projects WHERE id = ?').run(id);
}

export const PROJECT_RESOURCE_STATUSES = ['opened', 'annotated', 'closed'] as const;
export type ProjectResourceStatus = (typeof PROJECT_RESOURCE_STATUSES)[number];

export function setProjectResourceStatus(
  db: Db,
  f: { projectId: string; resourceId: string; status: ProjectResourceStatus; by: string; at: string },
): void {
  db.prepare(
    `INSERT INTO project_resource_status (project_id, resource_id, status, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (project_id, resource_id) DO UPDATE SET status = excluded.status,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(f.projectId, f.resourceId, f.status, f.at, f.by);
}

export function projectHasResource(db: Db, project: ProjectRow, resourceId: string): boolean {
  return (
    db
      .prepare('SELECT 1 FROM dataset_resources WHERE dataset_id = ? AND resource_id = ?')
      .get(project.dataset_id, resourceId) !== undefined
  );
}
