import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ConflictError, ResourceNotFoundError, UserEntity, ValidationError } from '../src';
import type { RecordingProxy } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;

beforeAll(async () => {
  h = await startApiHarness();
  ({ proxy, api } = h);
});
afterAll(async () => {
  await h?.close();
});

describe('api.users', () => {
  it('creates with all five keys, lists, gets by e-mail', async () => {
    proxy.take();
    const user = await api.users.create('new+1@x.io', { firstname: 'Ana', roles: ['annotator'] });
    const post = proxy.take().find((r) => r.method === 'POST');
    expect(post?.url).toBe('/users');
    expect(post?.body.toString()).toBe(
      '{"email": "new+1@x.io", "password": null, "firstname": "Ana", "lastname": null, "roles": ["annotator"]}',
    );
    expect(user).toBeInstanceOf(UserEntity);
    expect(user).toMatchObject({
      email: 'new+1@x.io',
      firstname: 'Ana',
      lastname: null,
      roles: ['annotator'],
    });
    const all = await api.users.getList().toArray();
    expect(proxy.take()[0]?.url).toBe('/users?offset=0&limit=5000');
    expect(all.map((u) => u.email).sort()).toEqual(['new+1@x.io', 'tester@datamint.local']);
    expect((await api.users.getByEmail('new+1@x.io')).firstname).toBe('Ana');
    expect(proxy.take()[0]?.url).toBe('/users/new%2B1%40x.io');
  });

  it('reports a taken e-mail, an unknown one and a bad one', async () => {
    await expect(api.users.create('new+1@x.io')).rejects.toBeInstanceOf(ConflictError);
    await expect(api.users.getByEmail('nobody@x.io')).rejects.toMatchObject({
      resourceType: 'user',
      params: { email: 'nobody@x.io' },
    });
    await expect(api.users.getByEmail('nobody@x.io')).rejects.toBeInstanceOf(ResourceNotFoundError);
    proxy.take();
    await expect(api.users.create('no-at-sign')).rejects.toBeInstanceOf(ValidationError);
    await expect(api.users.getByEmail('')).rejects.toBeInstanceOf(ValidationError);
    expect(proxy.take()).toEqual([]);
  });
});
