import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open-database';
import { type JsonValue, parseJsonColumn } from './json';

/** A member of a project, as `GET /projects/:id/members` lists it. */
export interface MemberJson {
  project_id: string;
  user_id: string;
  roles: string[];
  expertise_level: string | null;
  status: string;
  firstname: string | null;
  lastname: string | null;
}

export function setMember(db: Db, projectId: string, email: string, roles: string[], at: string): void {
  db.prepare(
    `INSERT INTO project_members (project_id, user_id, roles, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (project_id, user_id) DO UPDATE SET roles = excluded.roles`,
  ).run(projectId, email, JSON.stringify(roles), at);
}

export function removeMember(db: Db, projectId: string, email: string): number {
  return db.prepare('DELETE FROM project_members WHERE project_id = ? AND user_id = ?').run(projectId, email)
    .changes;
}

export function listMembers(db: Db, projectId: string, customerId: string): MemberJson[] {
  const rows = db
    .prepare(
      `SELECT m.user_id, m.roles, u.firstname, u.lastname FROM project_members m
       LEFT JOIN users u ON u.email = m.user_id AND u.customer_id = ?
       WHERE m.project_id = ? ORDER BY m.rowid`,
    )
    .all(customerId, projectId) as Array<{
    user_id: string;
    roles: string;
    firstname: string | null;
    lastname: string | null;
  }>;
  return rows.map((r) => ({
    project_id: projectId,
    user_id: r.user_id,
    roles: parseJsonColumn<string[]>(r.roles, []),
    expertise_level: null,
    status: 'active',
    firstname: r.firstname,
    lastname: r.lastname,
  }));
}

/** A resource's assignment to a named split of a project. */
export interface SplitJson {
  id: string;
  split_name: string;
  project_id: string;
  resource_id: string;
  created_at: string;
  created_by: string;
  deleted_at: string | null;
  deleted_by: string | null;
}

/**
 * Assigns resources to a split. A resource is in one split at a time: its current assignment is
 * closed (`deleted_at`) and a new one recorded, so the history answers `as_of_timestamp` queries.
 */
export function assignSplit(
  db: Db,
  f: { projectId: string; resourceIds: string[]; splitName: string; by: string; at: string },
): void {
  const close = db.prepare(
    `UPDATE project_splits SET deleted_at = ?, deleted_by = ?
     WHERE project_id = ? AND resource_id = ? AND deleted_at IS NULL`,
  );
  const insert = db.prepare(
    `INSERT INTO project_splits (id, project_id, resource_id, split_name, created_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  for (const rid of f.resourceIds) {
    close.run(f.at, f.by, f.projectId, rid);
    insert.run(randomUUID(), f.projectId, rid, f.splitName, f.at, f.by);
  }
}

/** Split assignments in force now, or at `asOf` (an ISO instant), optionally of one split name. */
export function listSplits(
  db: Db,
  projectId: string,
  f: { splitName?: string; asOf?: string; resourceId?: string },
): SplitJson[] {
  const clauses = ['s.project_id = ?', 'r.deleted = 0'];
  const params: string[] = [projectId];
  if (f.asOf === undefined) clauses.push('s.deleted_at IS NULL');
  else {
    clauses.push('s.created_at <= ? AND (s.deleted_at IS NULL OR s.deleted_at > ?)');
    params.push(f.asOf, f.asOf);
  }
  if (f.splitName !== undefined) {
    clauses.push('s.split_name = ?');
    params.push(f.splitName);
  }
  if (f.resourceId !== undefined) {
    clauses.push('s.resource_id = ?');
    params.push(f.resourceId);
  }
  return db
    .prepare(
      `SELECT s.id, s.split_name, s.project_id, s.resource_id, s.created_at, s.created_by, s.deleted_at, s.deleted_by
       FROM project_splits s JOIN resources r ON r.id = s.resource_id WHERE ${clauses.join(' AND ')} ORDER BY s.seq`,
    )
    .all(...params) as SplitJson[];
}

/** One annotator's work status on one resource of a project. */
export interface StatusJson {
  project_id: string;
  resource_id: string;
  user_id: string;
  status: string;
  updated_at: string;
}

export function listStatuses(
  db: Db,
  projectId: string,
  f: { status?: string; userId?: string; resourceId?: string },
): StatusJson[] {
  const clauses = ['s.project_id = ?', 'r.deleted = 0'];
  const params: string[] = [projectId];
  const add = (sql: string, v: string | undefined) => {
    if (v === undefined) return;
    clauses.push(sql);
    params.push(v);
  };
  add('s.status = ?', f.status);
  add('s.updated_by = ?', f.userId);
  add('s.resource_id = ?', f.resourceId);
  return db
    .prepare(
      `SELECT s.project_id, s.resource_id, s.updated_by AS user_id, s.status, s.updated_at
       FROM project_resource_status s JOIN resources r ON r.id = s.resource_id
       WHERE ${clauses.join(' AND ')} ORDER BY s.rowid`,
    )
    .all(...params) as StatusJson[];
}

export function resetStatus(db: Db, projectId: string, resourceId: string, annotator: string): number {
  return db
    .prepare(
      'DELETE FROM project_resource_status WHERE project_id = ? AND resource_id = ? AND updated_by = ?',
    )
    .run(projectId, resourceId, annotator).changes;
}

/** A live annotation on one of the project's resources, with what exports and statistics need. */
export interface ProjectAnnotationRow {
  id: string;
  resource_id: string;
  filename: string;
  name: string;
  type: string;
  scope: string;
  frame_index: number | null;
  value: string | null;
  added_by: string;
  status: string;
  created_at: string;
}

/** Which resources' annotations: those of a dataset (a project) or of a worklist. */
export type AnnotationScope = { datasetId: string } | { worklistId: string };

export function projectAnnotations(
  db: Db,
  scope: string | AnnotationScope,
  f: { from?: string; to?: string; annotators?: string[]; identifiers?: string[] } = {},
): ProjectAnnotationRow[] {
  const resolved: AnnotationScope = typeof scope === 'string' ? { datasetId: scope } : scope;
  const [membership, scopeId] =
    'datasetId' in resolved
      ? [
          'JOIN dataset_resources dr ON dr.resource_id = a.resource_id AND dr.dataset_id = ?',
          resolved.datasetId,
        ]
      : [
          'JOIN worklist_resources dr ON dr.resource_id = a.resource_id AND dr.worklist_id = ?',
          resolved.worklistId,
        ];
  const clauses = ['a.deleted = 0', 'r.deleted = 0'];
  const params: string[] = [scopeId];
  if (f.from !== undefined) {
    clauses.push('a.created_at >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    clauses.push('a.created_at <= ?');
    params.push(f.to);
  }
  if (f.annotators && f.annotators.length > 0) {
    clauses.push('a.added_by IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(f.annotators));
  }
  if (f.identifiers && f.identifiers.length > 0) {
    clauses.push('a.name IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(f.identifiers));
  }
  return db
    .prepare(
      `SELECT a.id, a.resource_id, r.filename, a.name, a.type, a.scope, a.frame_index, a.value, a.added_by,
         a.status, a.created_at
       FROM annotations a JOIN resources r ON r.id = a.resource_id
       ${membership}
       WHERE ${clauses.join(' AND ')} ORDER BY a.seq`,
    )
    .all(...params) as ProjectAnnotationRow[];
}

/** Per annotator: how many annotations on how many of the project's resources, and their statuses. */
export function annotatorStatistics(
  annotations: ProjectAnnotationRow[],
  statuses: StatusJson[],
  email?: string,
): Array<Record<string, JsonValue>> {
  const by = new Map<string, { annotations: number; resources: Set<string> }>();
  for (const a of annotations) {
    const entry = by.get(a.added_by) ?? { annotations: 0, resources: new Set<string>() };
    entry.annotations++;
    entry.resources.add(a.resource_id);
    by.set(a.added_by, entry);
  }
  for (const s of statuses)
    if (!by.has(s.user_id)) by.set(s.user_id, { annotations: 0, resources: new Set() });
  return [...by]
    .filter(([who]) => email === undefined || who === email)
    .map(([who, e]) => {
      const own = statuses.filter((s) => s.user_id === who);
      return {
        email: who,
        annotations_count: e.annotations,
        annotated_resources_count: e.resources.size,
        opened_count: own.filter((s) => s.status === 'opened').length,
        annotated_count: own.filter((s) => s.status === 'annotated').length,
        closed_count: own.filter((s) => s.status === 'closed').length,
      };
    });
}

/** Per annotation identifier and type: how many annotations on how many resources. */
export function annotationStatistics(annotations: ProjectAnnotationRow[]): Array<Record<string, JsonValue>> {
  const by = new Map<string, { identifier: string; type: string; count: number; resources: Set<string> }>();
  for (const a of annotations) {
    const key = `${a.type}\u0000${a.name}`;
    const entry = by.get(key) ?? { identifier: a.name, type: a.type, count: 0, resources: new Set<string>() };
    entry.count++;
    entry.resources.add(a.resource_id);
    by.set(key, entry);
  }
  return [...by.values()].map((e) => ({
    identifier: e.identifier,
    type: e.type,
    count: e.count,
    resources_count: e.resources.size,
  }));
}
