import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import type { Db } from '../db/open-database';
import { type Page, pageSql } from '../query';
import { parseJsonColumn } from './json';

export interface UserJson {
  id: string;
  email: string;
  firstname: string | null;
  lastname: string | null;
  roles: string[];
  customer_id: string;
  created_at: string;
}

export interface UserRow {
  id: string;
  email: string;
  firstname: string | null;
  lastname: string | null;
  roles: string;
  customer_id: string;
  created_at: string;
}

function toJson(row: UserRow): UserJson {
  return {
    id: row.id,
    email: row.email,
    firstname: row.firstname,
    lastname: row.lastname,
    roles: parseJsonColumn<string[]>(row.roles, []),
    customer_id: row.customer_id,
    created_at: row.created_at,
  };
}

const COLUMNS = 'id, email, firstname, lastname, roles, customer_id, created_at';

export function listUsers(db: Db, customerId: string, page: Page): UserJson[] {
  const limit = pageSql(page);
  return (
    db
      .prepare(`SELECT ${COLUMNS} FROM users WHERE customer_id = ? ORDER BY created_at, rowid${limit.sql}`)
      .all(customerId, ...limit.params) as UserRow[]
  ).map(toJson);
}

export function findUser(db: Db, customerId: string, id: string): UserJson | undefined {
  const row = db
    .prepare(`SELECT ${COLUMNS} FROM users WHERE id = ? AND customer_id = ?`)
    .get(id, customerId) as UserRow | undefined;
  return row ? toJson(row) : undefined;
}

/** A user of the customer by e-mail (the current SDK's user id) or by stored id. */
export function findUserByEmailOrId(db: Db, customerId: string, emailOrId: string): UserJson | undefined {
  const row = db
    .prepare(`SELECT ${COLUMNS} FROM users WHERE customer_id = ? AND (email = ? OR id = ?)`)
    .get(customerId, emailOrId, emailOrId) as UserRow | undefined;
  return row ? toJson(row) : undefined;
}

/** Applies a partial update of names and roles. */
export function updateUser(
  db: Db,
  id: string,
  patch: { firstname?: string | null; lastname?: string | null; roles?: string[]; password?: string | null },
): void {
  const sets: string[] = [];
  const params: Array<string | null> = [];
  if (patch.firstname !== undefined) {
    sets.push('firstname = ?');
    params.push(patch.firstname);
  }
  if (patch.lastname !== undefined) {
    sets.push('lastname = ?');
    params.push(patch.lastname);
  }
  if (patch.roles !== undefined) {
    sets.push('roles = ?');
    params.push(JSON.stringify(patch.roles));
  }
  if (patch.password !== undefined) {
    sets.push('password_hash = ?');
    params.push(patch.password === null ? null : hashPassword(patch.password));
  }
  if (sets.length > 0) db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
}

/** Whether an API key authenticates as this user (such users cannot be deleted). */
export function userHasApiKey(db: Db, id: string): boolean {
  return db.prepare('SELECT 1 FROM api_keys WHERE user_id = ?').get(id) !== undefined;
}

export function deleteUser(db: Db, id: string): void {
  db.prepare('DELETE FROM users WHERE id = ?').run(id);
}

export function userExists(db: Db, customerId: string, email: string): boolean {
  return (
    db.prepare('SELECT 1 FROM users WHERE customer_id = ? AND email = ?').get(customerId, email) !== undefined
  );
}

/** Passwords are only ever stored as salted scrypt hashes; the local server never checks them. */
function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
}

export function createUser(
  db: Db,
  u: {
    customerId: string;
    email: string;
    password: string | null;
    firstname: string | null;
    lastname: string | null;
    roles: string[];
    at: string;
  },
): UserJson {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO users (id, customer_id, email, firstname, lastname, roles, password_hash, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    u.customerId,
    u.email,
    u.firstname,
    u.lastname,
    JSON.stringify(u.roles),
    u.password === null ? null : hashPassword(u.password),
    u.at,
  );
  return toJson(db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id) as UserRow);
}
