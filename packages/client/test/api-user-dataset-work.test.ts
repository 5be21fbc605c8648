import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, ResourceNotFoundError, UserEntity, ValidationError } from '../src';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { API_KEY, type ApiHarness, startApiHarness } from './helpers/server';
import { readZip } from './helpers/zip';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let dir: string;
let ids: string[];
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await startApiHarness({ uploads: [0, 1].map((s) => ({ name: `u${s}.png`, data: grayPng(5, 4, s) })) });
  ({ proxy, api, ids } = h);
  dir = await mkdtemp(join(tmpdir(), 'api-user-dataset-'));
});
afterAll(async () => {
  await h?.close();
});

describe('api.users: update, delete, invitations', () => {
  it('updates with only the set fields and deletes', async () => {
    await api.users.create('edit@x.io', { firstname: 'E' });
    proxy.take();
    await api.users.update('edit@x.io', { lastname: 'Doe', firstname: undefined, roles: null });
    expect(proxy.take()[0]).toMatchObject({
      method: 'PATCH',
      url: '/users/edit%40x.io',
      json: { lastname: 'Doe' },
    });
    expect((await api.users.getByEmail('edit@x.io')).lastname).toBe('Doe');
    await expect(api.users.update('edit@x.io', { firstname: undefined })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await api.users.delete('edit@x.io');
    expect(proxy.take().at(-1)).toMatchObject({ method: 'DELETE', url: '/users/edit%40x.io' });
    await expect(api.users.getByEmail('edit@x.io')).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(api.users.delete('edit@x.io')).rejects.toMatchObject({
      resourceType: 'user',
      params: { email: 'edit@x.io' },
    });
  });

  it('invites with only the given keys, lists and revokes invitations', async () => {
    const project = await api.projects.create('Invited', { resources: [ids[0]!] });
    proxy.take();
    await api.users.invite('guest@x.io', { firstname: 'G', project, projectRoles: ['annotator'] });
    const post = proxy.take()[0];
    expect(post?.url).toBe('/users/invite');
    expect(post?.body.toString()).toBe(
      `{"email": "guest@x.io", "firstname": "G", "project_id": "${project.id}", "project_roles": ["annotator"]}`,
    );
    const invitations = await api.users.getInvitations({ project });
    expect(proxy.take()[0]?.url).toBe(`/users/invitations?project_id=${project.id}`);
    expect(JSON.stringify(invitations)).toContain('guest@x.io');
    await api.users.revokeInvitation('guest@x.io');
    expect(proxy.take()[0]).toMatchObject({
      method: 'DELETE',
      url: '/users/invitations/guest%40x.io/revoke',
    });
    expect(JSON.stringify(await api.users.getInvitations())).not.toContain('guest@x.io');
    await expect(api.users.invite('nobody')).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists users past one page', async () => {
    for (const n of [1, 2, 3]) await api.users.create(`p${n}@x.io`);
    const paged = new Api({ rootUrl: proxy.url, apiKey: API_KEY, configFile: null, env: {}, pageSize: 2 });
    try {
      proxy.take();
      const all = await paged.users.getList().toArray();
      expect(all.every((u) => u instanceof UserEntity)).toBe(true);
      expect(all.map((u) => u.email)).toEqual(expect.arrayContaining(['p1@x.io', 'p2@x.io', 'p3@x.io']));
      expect(
        proxy
          .take()
          .map((r) => r.url)
          .slice(0, 2),
      ).toEqual(['/users?offset=0&limit=2', '/users?offset=2&limit=2']);
    } finally {
      await paged.close();
    }
  });
});

describe('api.datasets: resources and archive download', () => {
  it('lists resources and streams the archive behind a download token', async () => {
    const project = await api.projects.create('Archive', { resources: [ids[0]!, ids[1]!] });
    proxy.take();
    const resources = await api.datasets.getResources(project.datasetId, { version: 1 });
    expect(proxy.take()[0]?.url).toBe(`/datasets/${project.datasetId}/resources?version=1`);
    expect(JSON.stringify(resources)).toContain(ids[0]);
    const out = join(dir, 'ds.zip');
    const written = await api.datasets.download(project.datasetId, out, { format: 'png' });
    const [tokenRequest, archiveRequest] = proxy.take();
    expect(tokenRequest?.url).toBe(`/datasets/${project.datasetId}/download/png`);
    expect(archiveRequest?.url).toMatch(/^\/datasets\/download\/[0-9a-f-]{36}$/);
    const zip = readFileSync(out);
    expect(written.bytes).toBe(zip.length);
    expect(readZip(new Uint8Array(zip)).size).toBeGreaterThan(0);
    await expect(
      api.datasets.download(project.datasetId, out, { format: 'gif' as 'png' }),
    ).rejects.toBeInstanceOf(ValidationError);
    const missing = join(dir, 'none.zip');
    await expect(api.datasets.download(MISSING, missing)).rejects.toMatchObject({
      resourceType: 'dataset',
      params: { id: MISSING },
    });
    expect(existsSync(missing)).toBe(false);
  });
});
