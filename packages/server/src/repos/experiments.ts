import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open-database';
import { type JsonValue, parseJsonColumn } from './json';

interface ExperimentRow {
  id: string;
  customer_id: string;
  dataset_id: string | null;
  name: string;
  description: string | null;
  environment: string;
  result_summary: string | null;
  created_at: string;
  created_by: string;
  completed_at: string | null;
}

export interface ExperimentJson {
  id: string;
  name: string;
  description: string | null;
  dataset_id: string | null;
  environment: JsonValue;
  result_summary: JsonValue;
  customer_id: string;
  created_at: string;
  created_by: string;
  completed_at: string | null;
}

function toJson(row: ExperimentRow): ExperimentJson {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    dataset_id: row.dataset_id,
    environment: parseJsonColumn<JsonValue>(row.environment, {}),
    result_summary: parseJsonColumn<JsonValue>(row.result_summary, null),
    customer_id: row.customer_id,
    created_at: row.created_at,
    created_by: row.created_by,
    completed_at: row.completed_at,
  };
}

export function createExperiment(
  db: Db,
  e: {
    customerId: string;
    datasetId: string | null;
    name: string;
    description: string | null;
    environment: JsonValue;
    by: string;
    at: string;
  },
): ExperimentJson {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO experiments (id, customer_id, dataset_id, name, description, environment, created_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, e.customerId, e.datasetId, e.name, e.description, JSON.stringify(e.environment), e.at, e.by);
  return getExperiment(db, e.customerId, id)!;
}

export function getExperiment(db: Db, customerId: string, id: string): ExperimentJson | undefined {
  const row = db.prepare('SELECT * FROM experiments WHERE id = ? AND customer_id = ?').get(id, customerId) as
    | ExperimentRow
    | undefined;
  return row ? toJson(row) : undefined;
}

export function listExperiments(db: Db, customerId: string, datasetId?: string): ExperimentJson[] {
  const rows = (
    datasetId
      ? db
          .prepare('SELECT * FROM experiments WHERE customer_id = ? AND dataset_id = ? ORDER BY seq')
          .all(customerId, datasetId)
      : db.prepare('SELECT * FROM experiments WHERE customer_id = ? ORDER BY seq').all(customerId)
  ) as ExperimentRow[];
  return rows.map(toJson);
}

export interface ExperimentPatch {
  name?: string;
  description?: string | null;
  resultSummary?: JsonValue;
  completedAt?: string | null;
}

export function patchExperiment(db: Db, id: string, patch: ExperimentPatch): void {
  const sets: string[] = [];
  const params: Array<string | null> = [];
  if (patch.name !== undefined) {
    sets.push('name = ?');
    params.push(patch.name);
  }
  if (patch.description !== undefined) {
    sets.push('description = ?');
    params.push(patch.description);
  }
  if (patch.resultSummary !== undefined) {
    sets.push('result_summary = ?');
    params.push(JSON.stringify(patch.resultSummary));
  }
  if (patch.completedAt !== undefined) {
    sets.push('completed_at = ?');
    params.push(patch.completedAt);
  }
  if (sets.length === 0) return;
  db.prepare(`UPDATE experiments SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
}

export function appendExperimentLog(db: Db, id: string, entry: JsonValue, at: string): void {
  db.prepare('INSERT INTO experiment_logs (experiment_id, entry, created_at) VALUES (?, ?, ?)').run(
    id,
    JSON.stringify(entry),
    at,
  );
}

export function experimentLog(db: Db, id: string): JsonValue[] {
  return (
    db.prepare('SELECT entry FROM experiment_logs WHERE experiment_id = ? ORDER BY seq').all(id) as Array<{
      entry: string;
    }>
  ).map((r) => parseJsonColumn<JsonValue>(r.entry, null));
}
