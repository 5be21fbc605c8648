import {
  RESOURCE_ORDER_FIELDS,
  RESOURCE_STATUSES,
  type ResourceOrderField,
  type ResourceStatus,
} from '@datamint/core/internal';
import type { Db } from '../db/open-database';
import { BadRequestError } from '../errors';
import type { ListFilter, Page } from '../query';
import { pageSql } from '../query';
import { type JsonValue, parseJsonColumn } from './json';
import { missingIds } from './missing-ids';

/** The channel the platform reports for uploads that named none. */
export const UNKNOWN_CHANNEL = 'Unknown';

export { RESOURCE_ORDER_FIELDS, RESOURCE_STATUSES, type ResourceOrderField, type ResourceStatus };

/** What an upload's content says about the image (DICOM/NIfTI/PNG header), stored and returned as is. */
export interface ImageFacts {
  rows: number | null;
  columns: number | null;
  number_of_frames: number | null;
  study_uid: string | null;
  series_uid: string | null;
  instance_uid: string | null;
  transfer_syntax_uid: string | null;
}

function imageFacts(row: ImageFacts): ImageFacts {
  const { rows, columns, number_of_frames, study_uid, series_uid, instance_uid, transfer_syntax_uid } = row;
  return { rows, columns, number_of_frames, study_uid, series_uid, instance_uid, transfer_syntax_uid };
}

export interface ResourceRow extends ImageFacts {
  seq: number;
  id: string;
  customer_id: string;
  filename: string;
  source_filepath: string | null;
  mimetype: string | null;
  size: number;
  storage: string;
  upload_channel: string | null;
  upload_mechanism: string | null;
  modality: string | null;
  tags: string;
  metadata: string;
  status: ResourceStatus;
  created_at: string;
  created_by: string;
  published_on: string | null;
  published_by: string | null;
  deleted: number;
  deleted_at: string | null;
  deleted_by: string | null;
  file_key: string;
}

export type NewResource = Omit<ResourceRow, 'seq' | 'deleted' | 'deleted_at' | 'deleted_by'>;

/** A resource as the API returns it (§3.1). */
export interface ResourceJson extends ImageFacts {
  id: string;
  resource_uri: string;
  storage: string;
  location: string;
  upload_channel: string;
  filename: string;
  modality: string | null;
  mimetype: string | null;
  size: number;
  upload_mechanism: string | null;
  customer_id: string;
  status: ResourceStatus;
  created_at: string;
  created_by: string;
  published: boolean;
  published_on: string | null;
  published_by: string | null;
  publish_transforms: null;
  deleted: boolean;
  deleted_at: string | null;
  deleted_by: string | null;
  metadata: JsonValue;
  source_filepath: string | null;
  tags: string[];
  segmentations: null;
  measurements: null;
  categories: null;
  labels: string[];
  user_info: { firstname: string | null; lastname: string | null };
  projects: Array<{ id: string; name: string }>;
}

type RowWithUser = ResourceRow & { u_firstname: string | null; u_lastname: string | null };

const SELECT_WITH_USER = `SELECT r.*, u.firstname AS u_firstname, u.lastname AS u_lastname
  FROM resources r LEFT JOIN users u ON u.customer_id = r.customer_id AND u.email = r.created_by`;

export function insertResource(db: Db, r: NewResource): void {
  db.prepare(
    `INSERT INTO resources (id, customer_id, filename, source_filepath, mimetype, size, storage, upload_channel,
       upload_mechanism, modality, tags, metadata, status, created_at, created_by, published_on, published_by,
       file_key, rows, columns, number_of_frames, study_uid, series_uid, instance_uid, transfer_syntax_uid)
     VALUES (@id, @customer_id, @filename, @source_filepath, @mimetype, @size, @storage, @upload_channel,
       @upload_mechanism, @modality, @tags, @metadata, @status, @created_at, @created_by, @published_on,
       @published_by, @file_key, @rows, @columns, @number_of_frames, @study_uid, @series_uid, @instance_uid,
       @transfer_syntax_uid)`,
  ).run(r);
}

/** A live (not deleted) resource of the customer, or undefined. */
export function findResource(db: Db, customerId: string, id: string): ResourceRow | undefined {
  return db
    .prepare('SELECT * FROM resources WHERE id = ? AND customer_id = ? AND deleted = 0')
    .get(id, customerId) as ResourceRow | undefined;
}

function projectsOf(db: Db, ids: string[]): Map<string, Array<{ id: string; name: string }>> {
  const out = new Map<string, Array<{ id: string; name: string }>>();
  if (ids.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT dr.resource_id AS rid, p.id AS id, p.name AS name FROM dataset_resources dr
       JOIN projects p ON p.dataset_id = dr.dataset_id
       WHERE dr.resource_id IN (SELECT value FROM json_each(?)) ORDER BY p.seq`,
    )
    .all(JSON.stringify(ids)) as Array<{ rid: string; id: string; name: string }>;
  for (const row of rows) {
    const list = out.get(row.rid) ?? [];
    list.push({ id: row.id, name: row.name });
    out.set(row.rid, list);
  }
  return out;
}

function toJson(row: RowWithUser, projects: Array<{ id: string; name: string }>): ResourceJson {
  return {
    id: row.id,
    resource_uri: `/resources/${row.id}/file`,
    storage: row.storage,
    location: `resources/${row.customer_id}/${row.id}`,
    upload_channel: row.upload_channel ?? UNKNOWN_CHANNEL,
    filename: row.filename,
    modality: row.modality,
    mimetype: row.mimetype,
    size: row.size,
    upload_mechanism: row.upload_mechanism,
    customer_id: row.customer_id,
    status: row.status,
    created_at: row.created_at,
    created_by: row.created_by,
    published: row.status === 'published',
    published_on: row.published_on,
    published_by: row.published_by,
    publish_transforms: null,
    deleted: row.deleted !== 0,
    deleted_at: row.deleted_at,
    deleted_by: row.deleted_by,
    metadata: parseJsonColumn<JsonValue>(row.metadata, {}),
    source_filepath: row.source_filepath,
    tags: parseJsonColumn<string[]>(row.tags, []),
    segmentations: null,
    measurements: null,
    categories: null,
    labels: [],
    user_info: { firstname: row.u_firstname, lastname: row.u_lastname },
    projects,
    ...imageFacts(row),
  };
}

function rowsToJson(db: Db, rows: RowWithUser[]): ResourceJson[] {
  const projects = projectsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toJson(r, projects.get(r.id) ?? []));
}

export function getResourceJson(db: Db, customerId: string, id: string): ResourceJson | undefined {
  const row = db
    .prepare(`${SELECT_WITH_USER} WHERE r.id = ? AND r.customer_id = ? AND r.deleted = 0`)
    .get(id, customerId) as RowWithUser | undefined;
  return row ? rowsToJson(db, [row])[0] : undefined;
}

export interface ResourceQuery {
  customerId: string;
  status?: ResourceStatus;
  from?: string;
  to?: string;
  modality?: string;
  mimetype?: string;
  channel?: string;
  projectId?: string;
  projectNames?: ListFilter;
  filename?: string;
  tags?: ListFilter;
  /** Only resources in this dataset. */
  datasetId?: string;
  /** Only resources in the project of this exact name. */
  projectName?: string;
  /** Only resources without any live annotation. */
  notAnnotated?: boolean;
  orderField?: ResourceOrderField;
  ascending?: boolean;
}

function whereClause(q: ResourceQuery): { sql: string; params: Array<string | number> } {
  const clauses = ['r.customer_id = ?', 'r.deleted = 0'];
  const params: Array<string | number> = [q.customerId];
  const add = (sql: string, ...values: Array<string | number>) => {
    clauses.push(sql);
    params.push(...values);
  };
  if (q.status) add('r.status = ?', q.status);
  if (q.from) add('r.created_at >= ?', q.from);
  if (q.to) add('r.created_at <= ?', q.to);
  if (q.modality !== undefined) add('r.modality = ?', q.modality);
  if (q.mimetype !== undefined) add('r.mimetype = ?', q.mimetype);
  if (q.channel !== undefined) add('r.upload_channel = ?', q.channel);
  if (q.filename !== undefined) add('instr(lower(r.filename), lower(?)) > 0', q.filename);
  if (q.datasetId !== undefined) {
    add(
      'EXISTS (SELECT 1 FROM dataset_resources dr WHERE dr.dataset_id = ? AND dr.resource_id = r.id)',
      q.datasetId,
    );
  }
  if (q.projectId !== undefined) {
    add(
      `EXISTS (SELECT 1 FROM projects p JOIN dataset_resources dr ON dr.dataset_id = p.dataset_id
         WHERE p.id = ? AND p.customer_id = r.customer_id AND dr.resource_id = r.id)`,
      q.projectId,
    );
  }
  if (q.projectName !== undefined) {
    add(
      `EXISTS (SELECT 1 FROM projects p JOIN dataset_resources dr ON dr.dataset_id = p.dataset_id
         WHERE p.name = ? AND p.customer_id = r.customer_id AND dr.resource_id = r.id)`,
      q.projectName,
    );
  }
  if (q.notAnnotated) {
    clauses.push('NOT EXISTS (SELECT 1 FROM annotations a WHERE a.resource_id = r.id AND a.deleted = 0)');
  }
  if (q.projectNames && q.projectNames.items.length > 0) {
    const names = [...new Set(q.projectNames.items)];
    const matched = `SELECT COUNT(DISTINCT p.name) FROM projects p JOIN dataset_resources dr ON dr.dataset_id = p.dataset_id
         WHERE p.customer_id = r.customer_id AND dr.resource_id = r.id AND p.name IN (SELECT value FROM json_each(?))`;
    if (q.projectNames.filterType === 'union') add(`(${matched}) > 0`, JSON.stringify(names));
    else add(`(${matched}) = ?`, JSON.stringify(names), names.length);
  }
  if (q.tags && q.tags.items.length > 0) {
    const tags = [...new Set(q.tags.items)];
    const matched = `SELECT COUNT(DISTINCT t.value) FROM json_each(r.tags) t
         WHERE t.value IN (SELECT value FROM json_each(?))`;
    if (q.tags.filterType === 'union') add(`(${matched}) > 0`, JSON.stringify(tags));
    else add(`(${matched}) = ?`, JSON.stringify(tags), tags.length);
  }
  return { sql: clauses.join(' AND '), params };
}

export function listResources(
  db: Db,
  q: ResourceQuery,
  page: Page,
): { items: ResourceJson[]; total: number } {
  const where = whereClause(q);
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM resources r WHERE ${where.sql}`).get(...where.params) as {
      n: number;
    }
  ).n;
  const field = q.orderField ?? 'created_at';
  if (!RESOURCE_ORDER_FIELDS.includes(field)) {
    throw new BadRequestError(
      `order_field must be one of ${RESOURCE_ORDER_FIELDS.join(', ')}, got '${field}'`,
    );
  }
  // Default: newest first. `seq` breaks ties so pages never overlap or skip rows.
  const dir = q.ascending === true ? 'ASC' : 'DESC';
  const limit = pageSql(page);
  const rows = db
    .prepare(
      `${SELECT_WITH_USER} WHERE ${where.sql} ORDER BY r.${field} ${dir} NULLS LAST, r.seq ${dir}${limit.sql}`,
    )
    .all(...where.params, ...limit.params) as RowWithUser[];
  return { items: rowsToJson(db, rows), total };
}

export function softDeleteResource(db: Db, id: string, by: string, at: string): void {
  db.prepare('UPDATE resources SET deleted = 1, deleted_at = ?, deleted_by = ? WHERE id = ?').run(at, by, id);
}

/** The ids among `ids` that name no live resource of the customer (for all-or-nothing bulk routes). */
export function missingResources(db: Db, customerId: string, ids: readonly string[]): string[] {
  return missingIds(db, 'resources', customerId, ids);
}

export function setResourceTags(db: Db, id: string, tags: string[]): void {
  db.prepare('UPDATE resources SET tags = ? WHERE id = ?').run(JSON.stringify(tags), id);
}

export function markPublished(db: Db, id: string, by: string, at: string): void {
  db.prepare(
    "UPDATE resources SET status = 'published', published_on = ?, published_by = ? WHERE id = ?",
  ).run(at, by, id);
}

export interface ChannelJson {
  channel_name: string | null;
  resource_data: Array<{
    created_by: string;
    customer_id: string;
    resource_id: string;
    resource_file_name: string;
    resource_mimetype: string | null;
  }>;
  deleted: false;
  created_at: string;
  updated_at: string;
  resource_count: string;
}

export function listChannels(
  db: Db,
  customerId: string,
  page: Page,
): { items: ChannelJson[]; total: number } {
  const groups = db
    .prepare(
      `SELECT upload_channel AS channel, MIN(created_at) AS first, MAX(created_at) AS last, COUNT(*) AS n
       FROM resources WHERE customer_id = ? AND deleted = 0
       GROUP BY upload_channel ORDER BY MIN(seq)`,
    )
    .all(customerId) as Array<{ channel: string | null; first: string; last: string; n: number }>;
  const end = page.limit === undefined ? undefined : page.offset + page.limit;
  const members = db.prepare(
    `SELECT id, filename, mimetype, created_by, customer_id FROM resources
     WHERE customer_id = ? AND deleted = 0 AND upload_channel IS ? ORDER BY seq`,
  );
  const items = groups.slice(page.offset, end).map((g) => {
    const rows = members.all(customerId, g.channel) as Array<{
      id: string;
      filename: string;
      mimetype: string | null;
      created_by: string;
      customer_id: string;
    }>;
    return {
      channel_name: g.channel,
      resource_data: rows.map((r) => ({
        created_by: r.created_by,
        customer_id: r.customer_id,
        resource_id: r.id,
        resource_file_name: r.filename,
        resource_mimetype: r.mimetype,
      })),
      deleted: false as const,
      created_at: g.first,
      updated_at: g.last,
      resource_count: String(g.n),
    };
  });
  return { items, total: groups.length };
}
