import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY_HEADER as HEADER } from '@datamint/core/internal';
import type { FastifyRequest } from 'fastify';
import type { Db } from './db/open-database';
import { BadRequestError, UnprocessableEntityError } from './errors';

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

/** Fingerprint of a JSON request body: a repeat must send the same value to be a replay. */
export function bodyFingerprint(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/** Where a key is looked up: per customer and per creating endpoint. */
export interface KeyScope {
  customerId: string;
  endpoint: string;
  key: string;
  /** Fingerprint of this request's content; keys recorded without one match any content. */
  fingerprint?: string;
  /** Whether the recorded entity still exists; a deleted one is not replayed. */
  alive?: (entityId: string) => boolean;
}

/** What was recorded under a key: the entity it created and the fingerprint of the request. */
export interface RecordedKey {
  entityId: string;
  fingerprint: string | null;
}

/** The record of this key, if any. */
export function recordedKey(db: Db, scope: KeyScope): RecordedKey | undefined {
  const row = db
    .prepare(
      'SELECT entity_id, fingerprint FROM idempotency_keys WHERE customer_id = ? AND endpoint = ? AND key = ?',
    )
    .get(scope.customerId, scope.endpoint, scope.key) as
    | { entity_id: string; fingerprint: string | null }
    | undefined;
  return row && { entityId: row.entity_id, fingerprint: row.fingerprint };
}

/**
 * Forgets the key when it still names `entityId` (whose entity was deleted), so the request creates
 * afresh; a key recorded again meanwhile by a concurrent request stays.
 */
export function forgetKey(db: Db, scope: KeyScope, entityId: string): void {
  db.prepare(
    'DELETE FROM idempotency_keys WHERE customer_id = ? AND endpoint = ? AND key = ? AND entity_id = ?',
  ).run(scope.customerId, scope.endpoint, scope.key, entityId);
}

/**
 * A key reused with other content is refused with 422, as payment APIs do, instead of replaying the
 * first result.
 */
export function keyReusedError(scope: KeyScope): UnprocessableEntityError {
  return new UnprocessableEntityError(
    `Idempotency-Key '${scope.key}' was already used for a different request to ${scope.endpoint}; use a new key for new content`,
  );
}

/**
 * The entity created earlier under this key, to replay; undefined when the key is new or its entity
 * was deleted since (the key is then forgotten, so the request creates afresh).
 */
export function findIdempotent(db: Db, scope: KeyScope): string | undefined {
  const recorded = recordedKey(db, scope);
  if (!recorded) return undefined;
  if (
    recorded.fingerprint !== null &&
    scope.fingerprint !== undefined &&
    recorded.fingerprint !== scope.fingerprint
  ) {
    throw keyReusedError(scope);
  }
  if (scope.alive && !scope.alive(recorded.entityId)) {
    forgetKey(db, scope, recorded.entityId);
    return undefined;
  }
  return recorded.entityId;
}

/** Records the key; call inside the transaction that creates the entity. */
export function recordIdempotent(db: Db, scope: KeyScope, entityId: string, at: string): void {
  db.prepare(
    'INSERT INTO idempotency_keys (customer_id, endpoint, key, entity_id, created_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(scope.customerId, scope.endpoint, scope.key, entityId, at, scope.fingerprint ?? null);
}

/**
 * Runs `create` (synchronous database work, returning the created entity's id or a JSON string) once
 * per Idempotency-Key, inside a transaction: a repeated key with the same content returns the
 * recorded result instead.
 */
export function oncePerKey(
  db: Db,
  f: Omit<KeyScope, 'key'> & { key: string | undefined; at: string },
  create: () => string,
): { value: string; replayed: boolean } {
  return db.transaction(() => {
    const scope = f.key === undefined ? undefined : { ...f, key: f.key };
    if (scope) {
      const earlier = findIdempotent(db, scope);
      if (earlier !== undefined) return { value: earlier, replayed: true };
    }
    const value = create();
    if (scope) recordIdempotent(db, scope, value, f.at);
    return { value, replayed: false };
  })();
}
