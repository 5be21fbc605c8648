import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open-database';
import { parseJsonColumn } from './json';

/** An invitation as the API returns it. */
export interface InvitationJson {
  id: string;
  email: string;
  firstname: string | null;
  lastname: string | null;
  return_url: string | null;
  project_id: string | null;
  project_roles: string[];
  annotation_worklist_id: string | null;
  status: 'pending' | 'revoked';
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

type InvitationRow = Omit<InvitationJson, 'project_roles'> & { project_roles: string; customer_id: string };

const toJson = ({ customer_id: _customer, ...row }: InvitationRow): InvitationJson => ({
  ...row,
  project_roles: parseJsonColumn<string[]>(row.project_roles, []),
});

export function createInvitation(
  db: Db,
  f: Omit<InvitationJson, 'id' | 'status' | 'revoked_at'> & { customerId: string },
): InvitationJson {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO invitations (id, customer_id, email, firstname, lastname, return_url, project_id, project_roles,
       annotation_worklist_id, status, created_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
  ).run(
    id,
    f.customerId,
    f.email,
    f.firstname,
    f.lastname,
    f.return_url,
    f.project_id,
    JSON.stringify(f.project_roles),
    f.annotation_worklist_id,
    f.created_at,
    f.created_by,
  );
  return toJson(db.prepare('SELECT * FROM invitations WHERE id = ?').get(id) as InvitationRow);
}

/** Pending invitations of the customer, optionally of one project. */
export function listInvitations(db: Db, customerId: string, projectId?: string): InvitationJson[] {
  const rows = (
    projectId === undefined
      ? db
          .prepare("SELECT * FROM invitations WHERE customer_id = ? AND status = 'pending' ORDER BY seq")
          .all(customerId)
      : db
          .prepare(
            "SELECT * FROM invitations WHERE customer_id = ? AND status = 'pending' AND project_id = ? ORDER BY seq",
          )
          .all(customerId, projectId)
  ) as InvitationRow[];
  return rows.map(toJson);
}

/** Revokes the pending invitations of an e-mail address; returns how many. */
export function revokeInvitations(db: Db, customerId: string, email: string, at: string): number {
  return db
    .prepare(
      "UPDATE invitations SET status = 'revoked', revoked_at = ? WHERE customer_id = ? AND email = ? AND status = 'pending'",
    )
    .run(at, customerId, email).changes;
}
