import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open-database';
import { type Page, pageSql } from '../query';

export interface DatasetRow {
  id: string;
  customer_id: string;
  name: string;
  description: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface DatasetJson extends Omit<DatasetRow, 'description'> {
  description: string;
  total_resource: number;
  resource_ids: string[];
}

export function createDataset(
  db: Db,
  f: { customerId: string; name: string; description: string | null; by: string; at: string },
): string {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO datasets (id, customer_id, name, description, created_at, created_by, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, f.customerId, f.name, f.description, f.at, f.by, f.at);
  return id;
}

export function findDataset(db: Db, customerId: string, id: string): DatasetRow | undefined {
  return db
    .prepare(
      'SELECT id, customer_id, name, description, created_at, created_by, updated_at FROM datasets WHERE id = ? AND customer_id = ?',
    )
    .get(id, customerId) as DatasetRow | undefined;
}

/** Live (not deleted) resources of a dataset, in the order they were added. */
export function datasetResourceIds(db: Db, datasetId: string): string[] {
  return (
    db
      .prepare(
        `SELECT dr.resource_id AS id FROM dataset_resources dr JOIN resources r ON r.id = dr.resource_id
         WHERE dr.dataset_id = ? AND r.deleted = 0 ORDER BY dr.rowid`,
      )
      .all(datasetId) as Array<{ id: string }>
  ).map((r) => r.id);
}

export function datasetJson(db: Db, row: DatasetRow): DatasetJson {
  const ids = datasetResourceIds(db, row.id);
  // The current SDK refuses a null description.
  return { ...row, description: row.description ?? '', total_resource: ids.length, resource_ids: ids };
}

export function listDatasets(
  db: Db,
  customerId: string,
  page: Page,
): { items: DatasetJson[]; total: number } {
  const total = (
    db.prepare('SELECT COUNT(*) AS n FROM datasets WHERE customer_id = ?').get(customerId) as { n: number }
  ).n;
  const limit = pageSql(page);
  const rows = db
    .prepare(
      `SELECT id, customer_id, name, description, created_at, created_by, updated_at FROM datasets
       WHERE customer_id = ? ORDER BY seq${limit.sql}`,
    )
    .all(customerId, ...limit.params) as DatasetRow[];
  return { items: rows.map((r) => datasetJson(db, r)), total };
}

/**
 * Adds resources to a dataset and to the worklists of the projects built on it (idempotent).
 * Returns how many were new to the dataset.
 */
export function addToDataset(db: Db, datasetId: string, resourceIds: string[], at: string): number {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO dataset_resources (dataset_id, resource_id, added_at) VALUES (?, ?, ?)',
  );
  const worklists = db
    .prepare('SELECT worklist_id FROM projects WHERE dataset_id = ?')
    .all(datasetId) as Array<{
    worklist_id: string;
  }>;
  const insertWl = db.prepare(
    'INSERT OR IGNORE INTO worklist_resources (worklist_id, resource_id) VALUES (?, ?)',
  );
  let added = 0;
  for (const id of resourceIds) {
    added += insert.run(datasetId, id, at).changes;
    for (const w of worklists) insertWl.run(w.worklist_id, id);
  }
  db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(at, datasetId);
  return added;
}

/** Removes resources from a dataset and from the worklists of the projects built on it. */
export function removeFromDataset(db: Db, datasetId: string, resourceIds: string[], at: string): void {
  if (resourceIds.length === 0) return;
  const remove = db.prepare('DELETE FROM dataset_resources WHERE dataset_id = ? AND resource_id = ?');
  const removeWl = db.prepare(
    'DELETE FROM worklist_resources WHERE resource_id = ? AND worklist_id IN (SELECT worklist_id FROM projects WHERE dataset_id = ?)',
  );
  for (const id of resourceIds) {
    remove.run(datasetId, id);
    removeWl.run(id, datasetId);
  }
  db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(at, datasetId);
}

/** Deletes a dataset that no project uses (its resources stay). */
export function deleteDataset(db: Db, id: string): void {
  db.prepare('DELETE FROM dataset_resources WHERE dataset_id = ?').run(id);
  db.prepare('DELETE FROM dataset_downloads WHERE dataset_id = ?').run(id);
  db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
}
