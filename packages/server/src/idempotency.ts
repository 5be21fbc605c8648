import type { FastifyRequest } from 'fastify';
import type { Db } from './db/open-database';
import { BadRequestError } from './errors';

const HEADER = 'idempotency-key';

/** The request's `Idempotency-Key` header, validated; undefined when absent. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const value = req.headers[HEADER];
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 255 ||
    !/^[\x21-\x7e]+$/.test(value)
  ) {
    throw new BadRequestError(
      'header Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
    );
  }
  return value;
}

/** The entity created earlier under this key, if any. */
export function findIdempotent(
  db: Db,
  customerId: string,
  endpoint: string,
  key: string,
): string | undefined {
  const row = db
    .prepare('SELECT entity_id FROM idempotency_keys WHERE customer_id = ? AND endpoint = ? AND key = ?')
    .get(customerId, endpoint, key) as { entity_id: string } | undefined;
  return row?.entity_id;
}

/** Records the key; call inside the transaction that creates the entity. */
export function recordIdempotent(
  db: Db,
  f: { customerId: string; endpoint: string; key: string; entityId: string; at: string },
): void {
  db.prepare(
    'INSERT INTO idempotency_keys (customer_id, endpoint, key, entity_id, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(f.customerId, f.endpoint, f.key, f.entityId, f.at);
}

/**
 * Runs `create` (synchronous database work, returning the created entity's id or a JSON string) once
 * per Idempotency-Key, inside a transaction: a repeated key returns the recorded result instead.
 */
export function oncePerKey(
  db: Db,
  f: { customerId: string; endpoint: string; key: string | undefined; at: string },
  create: () => string,
): { value: string; replayed: boolean } {
  return db.transaction(() => {
    if (f.key) {
      const earlier = findIdempotent(db, f.customerId, f.endpoint, f.key);
      if (earlier !== undefined) return { value: earlier, replayed: true };
    }
    const value = create();
    if (f.key)
      recordIdempotent(db, {
        customerId: f.customerId,
        endpoint: f.endpoint,
        key: f.key,
        entityId: value,
        at: f.at,
      });
    return { value, replayed: false };
  })();
}
