import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userSchema } from '../src/schemas/entities';
import { expectEntity } from './support/entities';
import { KEY_B, send, startTestServer, type TestServer } from './support/server';

describe('current platform API: users and invitations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await send(`${server.url}/users`, {
      method: 'POST',
      json: { email: 'u+1@x.io', password: null, firstname: null, lastname: null, roles: ['annotator'] },
    });
  });
  afterAll(() => server.dispose());

  it('gets, patches and deletes a user by e-mail (literal routes before the e-mail)', async () => {
    const got = await send(`${server.url}/users/u+1@x.io`);
    expect(got.status).toBe(200);
    expectEntity(got.json, userSchema);
    expect(got.json).toMatchObject({ email: 'u+1@x.io', firstname: null, roles: ['annotator'] });
    const patched = await send(`${server.url}/users/u+1@x.io`, {
      method: 'PATCH',
      json: { firstname: 'Una', roles: ['admin'] },
    });
    expect(patched.json).toMatchObject({
      email: 'u+1@x.io',
      firstname: 'Una',
      lastname: null,
      roles: ['admin'],
    });
    const bad = await send(`${server.url}/users/u+1@x.io`, { method: 'PATCH', json: { roles: 'admin' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('roles');
    expect((await send(`${server.url}/users/u+1@x.io`, { key: KEY_B })).status).toBe(404);
    const self = await send(`${server.url}/users/alice@a.test`, { method: 'DELETE' });
    expect(self.status).toBe(409);
    expect((await send(`${server.url}/users/u+1@x.io`, { method: 'DELETE' })).status).toBe(200);
    const gone = await send(`${server.url}/users/u+1@x.io`);
    expect(gone.status).toBe(404);
    expect(gone.json.message).toBe('User not found');
  });

  it('records, lists (per project) and revokes invitations', async () => {
    const project = (await send(`${server.url}/projects`, { method: 'POST', json: { name: 'Inv' } })).json;
    const invite = await send(`${server.url}/users/invite`, {
      method: 'POST',
      json: { email: 'new@x.io', firstname: 'N', project_id: project.id, project_roles: ['annotator'] },
    });
    expect(invite.status).toBe(201);
    expect(invite.json).toMatchObject({ email: 'new@x.io', project_id: project.id, status: 'pending' });
    await send(`${server.url}/users/invite`, { method: 'POST', json: { email: 'other@x.io' } });
    expect(
      (await send(`${server.url}/users/invitations`)).json.map((i: { email: string }) => i.email),
    ).toEqual(['new@x.io', 'other@x.io']);
    const forProject = await send(`${server.url}/users/invitations?project_id=${project.id}`);
    expect(forProject.json.map((i: { email: string }) => i.email)).toEqual(['new@x.io']);
    expect((await send(`${server.url}/users/invitations`, { key: KEY_B })).json).toEqual([]);
    const badEmail = await send(`${server.url}/users/invite`, { method: 'POST', json: { email: 'nope' } });
    expect(badEmail.status).toBe(400);
    expect(badEmail.json.message).toContain('email');
    const foreignProject = await send(`${server.url}/users/invite`, {
      method: 'POST',
      json: { email: 'z@x.io', project_id: project.id },
      key: KEY_B,
    });
    expect(foreignProject.status).toBe(404);
    expect(
      (await send(`${server.url}/users/invitations/new@x.io/revoke`, { method: 'DELETE' })).json,
    ).toEqual({ revoked: 1 });
    expect((await send(`${server.url}/users/invitations/new@x.io/revoke`, { method: 'DELETE' })).status).toBe(
      404,
    );
    expect(
      (await send(`${server.url}/users/invitations`)).json.map((i: { email: string }) => i.email),
    ).toEqual(['other@x.io']);
  });
});
