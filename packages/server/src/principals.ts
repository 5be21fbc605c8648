import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './db/open-database';
import { ServerConfigError } from './errors';
import type { ApiKeyRecord, UserSeed } from './options';
import { parseJsonColumn } from './repos/json';
import type { UserRow } from './repos/users';
import { nowIso } from './time';

/** The authenticated caller of a request. */
export interface Principal {
  userId: string;
  email: string;
  customerId: string;
  firstname: string | null;
  lastname: string | null;
  roles: string[];
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The key a request presents: the `apikey` header (every Python SDK request) or an
 * `Authorization: Bearer` token (the v2 SDK's sync stack sends both, MLflow clients only the latter).
 * Two headers naming different keys present no key at all, so no request is served under an identity
 * the caller did not unambiguously claim.
 */
export function presentedApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const apikey = typeof headers.apikey === 'string' && headers.apikey !== '' ? headers.apikey : undefined;
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (apikey !== undefined && bearer !== undefined && apikey !== bearer) return undefined;
  return apikey ?? bearer;
}

type StoredUser = Omit<UserRow, 'created_at'>;

function toPrincipal(u: StoredUser): Principal {
  return {
    userId: u.id,
    email: u.email,
    customerId: u.customer_id,
    firstname: u.firstname,
    lastname: u.lastname,
    roles: parseJsonColumn<string[]>(u.roles, []),
  };
}

function ensureCustomer(db: Db, id: string): void {
  db.prepare('INSERT OR IGNORE INTO customers (id, created_at) VALUES (?, ?)').run(id, nowIso());
}

interface UserFields {
  customerId: string;
  email: string;
  firstname?: string | null;
  lastname?: string | null;
  roles?: string[];
}

/** Creates the user, or updates the fields given for an existing (customer, email) pair. */
function upsertUser(db: Db, f: UserFields): StoredUser {
  ensureCustomer(db, f.customerId);
  const existing = db
    .prepare('SELECT * FROM users WHERE customer_id = ? AND email = ?')
    .get(f.customerId, f.email) as StoredUser | undefined;
  if (!existing) {
    const user: StoredUser = {
      id: randomUUID(),
      customer_id: f.customerId,
      email: f.email,
      firstname: f.firstname ?? null,
      lastname: f.lastname ?? null,
      roles: JSON.stringify(f.roles ?? ['admin']),
    };
    db.prepare(
      `INSERT INTO users (id, customer_id, email, firstname, lastname, roles, created_at)
       VALUES (@id, @customer_id, @email, @firstname, @lastname, @roles, @created_at)`,
    ).run({ ...user, created_at: nowIso() });
    return user;
  }
  const updated: StoredUser = {
    ...existing,
    firstname: f.firstname === undefined ? existing.firstname : f.firstname,
    lastname: f.lastname === undefined ? existing.lastname : f.lastname,
    roles: f.roles === undefined ? existing.roles : JSON.stringify(f.roles),
  };
  db.prepare(
    'UPDATE users SET firstname = @firstname, lastname = @lastname, roles = @roles WHERE id = @id',
  ).run(updated);
  return updated;
}

export function validateKey(key: unknown, where: string): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ServerConfigError(`${where}: an API key must be a non-empty string`);
  }
  if (!/^[\x21-\x7e]+$/.test(key)) {
    // HTTP header values cannot carry spaces at the ends or non-ASCII reliably.
    throw new ServerConfigError(`${where}: an API key may only contain printable ASCII without spaces`);
  }
  return key;
}

function registerKey(db: Db, record: ApiKeyRecord, where: string): Principal {
  const key = validateKey(record.key, where);
  const hash = hashApiKey(key);
  const stored = db
    .prepare('SELECT u.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?')
    .get(hash) as StoredUser | undefined;
  if (record.customerId !== undefined && record.customerId.trim() === '') {
    throw new ServerConfigError(`${where}: customerId must not be empty`);
  }
  const customerId = record.customerId ?? stored?.customer_id ?? randomUUID();
  const email = record.email ?? stored?.email ?? `user-${randomBytes(4).toString('hex')}@datamint.local`;
  const user = upsertUser(db, {
    customerId,
    email,
    firstname: record.firstname,
    lastname: record.lastname,
    roles: record.roles,
  });
  db.prepare(
    `INSERT INTO api_keys (key_hash, user_id, created_at) VALUES (?, ?, ?)
     ON CONFLICT (key_hash) DO UPDATE SET user_id = excluded.user_id`,
  ).run(hash, user.id, nowIso());
  return toPrincipal(user);
}

/**
 * Binds the configured keys to users and customers (persisted, so a key keeps its data across
 * restarts) and returns the lookup table used by the auth hook. Only keys configured for this run
 * are accepted; keys from earlier runs keep their data but stop authenticating.
 */
export function registerPrincipals(
  db: Db,
  apiKeys: ReadonlyArray<string | ApiKeyRecord>,
  users: readonly UserSeed[],
): Map<string, Principal> {
  const byHash = new Map<string, Principal>();
  db.transaction(() => {
    apiKeys.forEach((entry, i) => {
      const record = typeof entry === 'string' ? { key: entry } : entry;
      const principal = registerKey(db, record, `apiKeys[${i}]`);
      byHash.set(hashApiKey(record.key), principal);
    });
    users.forEach((seed, i) => {
      if (typeof seed.email !== 'string' || seed.email.trim() === '') {
        throw new ServerConfigError(`users[${i}]: email must be a non-empty string`);
      }
      if (seed.apiKey !== undefined) {
        const principal = registerKey(db, { ...seed, key: seed.apiKey }, `users[${i}]`);
        byHash.set(hashApiKey(seed.apiKey), principal);
      } else {
        const customerId = seed.customerId ?? firstCustomer(byHash);
        if (!customerId) {
          throw new ServerConfigError(`users[${i}]: customerId is required when no API key is configured`);
        }
        upsertUser(db, { ...seed, customerId });
      }
    });
  })();
  return byHash;
}

function firstCustomer(byHash: Map<string, Principal>): string | undefined {
  for (const p of byHash.values()) return p.customerId;
  return undefined;
}
