import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelSchema, listOf, resourcePageSchema } from '../src/schemas/entities';
import { expectEntity } from './support/entities';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';

describe('current platform API: resource routes', () => {
  let server: TestServer;
  const ids: string[] = [];
  const get = async (id: string) => (await send(`${server.url}/resources/${id}`)).json;

  beforeAll(async () => {
    server = await startTestServer();
    for (let i = 0; i < 4; i++) {
      ids.push(
        await uploadOk(server.url, {
          bytes: grayPng(2, 2),
          filename: `r${i}.png`,
          mimetype: 'image/png',
          fields: { channel: i < 2 ? 'first' : 'second' },
        }),
      );
    }
  });
  afterAll(() => server.dispose());

  it('publishes at upload with bypass_inbox=true sent the way aiohttp sends it', async () => {
    const { body, contentType } = aiohttpMultipart([
      { name: 'source', value: 'api' },
      { name: 'resource', value: grayPng(2, 2), contentType: 'image/png', filename: 'direct é.png' },
      { name: 'source_filepath', value: '/abs/direct é.png' },
      { name: 'mimetype', value: 'image/png' },
      { name: 'bypass_inbox', value: 'true' },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const stored = await get(reply.json.id);
    expect(stored).toMatchObject({ status: 'published', published: true, filename: 'direct é.png' });
    expect(stored.upload_channel).toBe('Unknown');
    await send(`${server.url}/resources/${reply.json.id}`, { method: 'DELETE' });
  });

  it('replaces tags of one resource and of many (PUT /resources/tags), all or nothing', async () => {
    const one = await send(`${server.url}/resources/${ids[0]}/tags`, {
      method: 'PUT',
      json: { tags: ['a', 'b'] },
    });
    expect(one.status).toBe(200);
    expect((await get(ids[0]!)).tags).toEqual(['a', 'b']);
    const many = await send(`${server.url}/resources/tags`, {
      method: 'PUT',
      json: { resource_ids: [ids[0], ids[1]], tags: ['x', ' x ', 'y'] },
    });
    expect(many.status).toBe(200);
    expect((await get(ids[0]!)).tags).toEqual(['x', 'y']);
    expect((await get(ids[1]!)).tags).toEqual(['x', 'y']);
    const unknown = await send(`${server.url}/resources/tags`, {
      method: 'PUT',
      json: { resource_ids: [ids[2], '00000000-0000-4000-8000-000000000000'], tags: ['z'] },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toContain('Resource not found');
    expect((await get(ids[2]!)).tags).toEqual([]);
    const missingField = await send(`${server.url}/resources/tags`, {
      method: 'PUT',
      json: { resource_ids: [] },
    });
    expect(missingField.status).toBe(400);
    expect(missingField.json.message).toContain('tags');
    const wrongType = await send(`${server.url}/resources/tags`, {
      method: 'PUT',
      json: { resource_ids: 'abc', tags: [] },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.message).toContain('resource_ids');
  });

  it('publishes in bulk (inbox ones; published ones are left alone)', async () => {
    await send(`${server.url}/resources/${ids[0]}/publish`, { method: 'POST' });
    const reply = await send(`${server.url}/resources/bulk-publish`, {
      method: 'POST',
      json: { resource_ids: [ids[0], ids[1]] },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ published: 1 });
    expect((await get(ids[1]!)).status).toBe('published');
    expect((await get(ids[2]!)).status).toBe('inbox');
    const foreign = await send(`${server.url}/resources/bulk-publish`, {
      method: 'POST',
      json: { resource_ids: [ids[2]] },
      key: KEY_B,
    });
    expect(foreign.status).toBe(404);
    expect((await get(ids[2]!)).status).toBe('inbox');
  });

  it('lists not-annotated resources with the GET /resources envelope and filters', async () => {
    await send(`${server.url}/annotations/${ids[0]}/annotations`, {
      method: 'POST',
      json: [{ identifier: 'q', type: 'category', scope: 'image', value: 'ok' }],
    });
    const project = (
      await send(`${server.url}/projects`, {
        method: 'POST',
        json: { name: 'NA', resource_ids: [ids[0], ids[3]] },
      })
    ).json;
    const all = await send(`${server.url}/resources/not-annotated?offset=0&limit=5000`);
    expectEntity(all.json, resourcePageSchema);
    expect(all.json.data[0].resources.map((r: { id: string }) => r.id).sort()).toEqual(
      [ids[1], ids[2], ids[3]].sort(),
    );
    expect(all.json.totalCount).toBe(3);
    const inProject = await send(`${server.url}/resources/not-annotated?project_name=${project.name}`);
    expect(inProject.json.data[0].resources.map((r: { id: string }) => r.id)).toEqual([ids[3]]);
    const inbox = await send(`${server.url}/resources/not-annotated?status=inbox&offset=0&limit=1`);
    expect(inbox.json.data[0].resources).toHaveLength(1);
    expect(inbox.json.totalCount).toBe(2);
    expect((await send(`${server.url}/resources/not-annotated`, { key: KEY_B })).json.totalCount).toBe(0);
  });

  it('lists channels as Channel entities and ignores unknown filters', async () => {
    const reply = await send(`${server.url}/resources/channels?project_name=P1&offset=0&limit=5000`);
    expect(reply.status).toBe(200);
    expectEntity(reply.json, listOf(channelSchema));
    expect(reply.json.data.map((c: { channel_name: string }) => c.channel_name)).toEqual(['first', 'second']);
  });

  it('deletes many resources at once (DELETE /resources?resource_ids=a,b), all or nothing', async () => {
    const extra = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'e.png',
      mimetype: 'image/png',
    });
    const extra2 = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'f.png',
      mimetype: 'image/png',
    });
    const unknown = '00000000-0000-4000-8000-000000000001';
    const partial = await send(`${server.url}/resources?resource_ids=${extra},${unknown}`, {
      method: 'DELETE',
    });
    expect(partial.status).toBe(404);
    expect(partial.json.message).toBe(`Resource not found: ${unknown}`);
    expect((await send(`${server.url}/resources/${extra}`)).status).toBe(200);
    const foreign = await send(`${server.url}/resources?resource_ids=${extra}`, {
      method: 'DELETE',
      key: KEY_B,
    });
    expect(foreign.status).toBe(404);
    const done = await send(`${server.url}/resources?resource_ids=${extra}%2C${extra2.toUpperCase()}`, {
      method: 'DELETE',
    });
    expect(done.status).toBe(200);
    expect(done.json).toEqual({ deleted: 2 });
    expect((await send(`${server.url}/resources/${extra}`)).status).toBe(404);
    expect((await send(`${server.url}/resources/${extra2}`)).status).toBe(404);
    const none = await send(`${server.url}/resources`, { method: 'DELETE' });
    expect(none.status).toBe(400);
    expect(none.json.message).toContain('resource_ids');
  });
});
