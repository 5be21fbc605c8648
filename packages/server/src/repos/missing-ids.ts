import type { Db } from '../db/open-database';

/** The ids among `ids` that name no live (not deleted) row of the customer, for all-or-nothing bulk routes. */
export function missingIds(
  db: Db,
  table: 'resources' | 'annotations',
  customerId: string,
  ids: readonly string[],
): string[] {
  const found = new Set(
    (
      db
        .prepare(
          `SELECT id FROM ${table} WHERE customer_id = ? AND deleted = 0
           AND id IN (SELECT value FROM json_each(?))`,
        )
        .all(customerId, JSON.stringify(ids)) as Array<{ id: string }>
    ).map((r) => r.id),
  );
  return ids.filter((id) => !found.has(id));
}
