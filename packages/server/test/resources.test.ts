import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng, solidJpeg } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { send, startTestServer, type TestServer, upload, uploadOk } from './support/server';

async function listIds(url: string, query: string): Promise<string[]> {
  const reply = await send(`${url}/resources?${query}`);
  expect(reply.status).toBe(200);
  return reply.json.data[0].resources.map((r: { id: string }) => r.id);
}

function tagsFilter(items: string[], filterType = 'union'): string {
  return encodeURIComponent(JSON.stringify({ items, filterType }));
}

describe('resources: upload, list, get, file, publish, delete, channels', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('stores an upload sent exactly like the Python SDK (aiohttp layout, percent-encoded name)', async () => {
    const png = grayPng(8, 6);
    const { body, contentType } = aiohttpMultipart([
      { name: 'source', value: 'api' },
      { name: 'resource', value: png, contentType: 'image/png', filename: 'img é 1.png' },
      { name: 'source_filepath', value: 'flat/img é 1.png' },
      { name: 'mimetype', value: 'image/png' },
      { name: 'channel', value: 'ch' },
      { name: 'modality', value: 'CR' },
      { name: 'tags', value: 't1, t2,,t1' },
      { name: 'metadata', value: '{"Modality": "CR", "x": [1, 2]}', contentType: 'application/json' },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const r = reply.json;
    expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r).toMatchObject({
      filename: 'img é 1.png',
      source_filepath: 'flat/img é 1.png',
      mimetype: 'image/png',
      storage: 'ImageResource',
      upload_channel: 'ch',
      modality: 'CR',
      tags: ['t1', 't2'],
      metadata: { Modality: 'CR', x: [1, 2] },
      upload_mechanism: 'api',
      status: 'inbox',
      published: false,
      size: png.length,
      created_by: 'alice@a.test',
      customer_id: 'customer-a',
      rows: 6,
      columns: 8,
      number_of_frames: 1,
      deleted: false,
      resource_uri: `/resources/${r.id}/file`,
    });
    expect(r.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(r).not.toHaveProperty('error');
    const file = await send(`${server.url}/resources/${r.id}/file`, {
      headers: { accept: 'application/octet-stream' },
    });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(file.bytes, Buffer.from(png))).toBe(0);
  });

  it("accepts the later SDKs' bypass_inbox field: true publishes at once, false keeps the inbox", async () => {
    const published = await upload(server.url, {
      bytes: grayPng(2, 2),
      filename: 'bypass.png',
      mimetype: 'image/png',
      fields: { bypass_inbox: 'True' },
    });
    expect(published.status).toBe(201);
    expect(published.json).toMatchObject({
      status: 'published',
      published: true,
      published_by: 'alice@a.test',
    });
    expect(published.json.published_on).toBe(published.json.created_at);
    const again = await send(`${server.url}/resources/${published.json.id}/publish`, { method: 'POST' });
    expect(again.status).toBe(400);
    expect(again.json.message).toBe('Resource must be in inbox status to be approved');
    const inbox = await upload(server.url, {
      bytes: grayPng(2, 2),
      filename: 'inbox.png',
      mimetype: 'image/png',
      fields: { bypass_inbox: 'false' },
    });
    expect(inbox.json).toMatchObject({ status: 'inbox', published: false, published_on: null });
  });

  it('keeps an upload whose metadata part is broken JSON (stored as {})', async () => {
    const { body, contentType } = aiohttpMultipart([
      { name: 'source', value: 'api' },
      { name: 'resource', value: new Uint8Array([1, 2, 3]), filename: 'x.bin' },
      { name: 'source_filepath', value: 'x.bin' },
      { name: 'metadata', value: '{not json', contentType: 'application/json' },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.metadata).toEqual({});
    expect(reply.json.mimetype).toBe('application/octet-stream');
    expect(reply.json.storage).toBe('FileResource');
    // The current SDK refuses null: uploads without a channel are in the platform's "Unknown" one.
    expect(reply.json.upload_channel).toBe('Unknown');
  });

  it('accepts raw UTF-8 file names (undici/browser FormData) and falls back to source_filepath', async () => {
    const raw = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'ü 100%.png',
      mimetype: 'image/png',
    });
    expect((await send(`${server.url}/resources/${raw}`)).json.filename).toBe('ü 100%.png');
    const { body, contentType } = aiohttpMultipart([
      { name: 'resource', value: new Uint8Array([9]), filename: '' },
      { name: 'source_filepath', value: 'dir/sub/fallback name.dat' },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.filename).toBe('fallback name.dat');
  });

  it('rejects uploads without a resource part, with extra file parts, or not multipart', async () => {
    const noFile = aiohttpMultipart([{ name: 'source', value: 'api' }]);
    let reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body: noFile.body,
      headers: { 'content-type': noFile.contentType },
    });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toBe("missing file part 'resource' in the multipart body");
    const wrong = aiohttpMultipart([{ name: 'other', value: new Uint8Array([1]), filename: 'a' }]);
    reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body: wrong.body,
      headers: { 'content-type': wrong.contentType },
    });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toMatch(/unexpected file part 'other'/);
    reply = await send(`${server.url}/resources`, { method: 'POST', json: { a: 1 } });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toMatch(/expected a multipart\/form-data body/);
    const garbage = await send(`${server.url}/resources`, {
      method: 'POST',
      body: 'this is not multipart',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
    });
    expect(garbage.status).toBe(400);
    expect(garbage.json.message).toBeTypeOf('string');
  });

  it('rejects a mimetype field that is not a media type (it becomes a response header) with 400', async () => {
    for (const mimetype of ['image/png\r\nx-injected: 1', 'image/pngé', 'not a type', 'image/']) {
      const { body, contentType } = aiohttpMultipart([
        { name: 'resource', value: grayPng(2, 2), contentType: 'image/png', filename: 'm.png' },
        { name: 'mimetype', value: mimetype },
      ]);
      const reply = await send(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
      });
      expect(reply.status, mimetype).toBe(400);
      expect(reply.json.message).toBe(
        `mimetype must be a media type such as image/png, got ${JSON.stringify(mimetype)}`,
      );
    }
    expect(await listIds(server.url, 'filename=m.png')).toEqual([]);
    expect(await readdir(join(server.dataDir, 'tmp'))).toEqual([]);
    const ok = await upload(server.url, {
      bytes: grayPng(2, 2),
      filename: 'm.png',
      fields: { mimetype: 'application/x-nifti; charset=binary' },
    });
    expect(ok.status).toBe(201);
  });

  it('stores files under server-made names only (no path traversal from file names)', async () => {
    const { body, contentType } = aiohttpMultipart([
      { name: 'resource', value: new Uint8Array([7, 7]), filename: '../../../../tmp/evil.sh' },
      { name: 'source_filepath', value: '../../../../tmp/evil.sh' },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.filename).toBe('evil.sh');
    const shards = await readdir(join(server.dataDir, 'files', 'resources'));
    for (const shard of shards) {
      expect(shard).toMatch(/^[0-9a-f]{2}$/);
      for (const name of await readdir(join(server.dataDir, 'files', 'resources', shard))) {
        expect(name).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
    expect(await readdir(join(server.dataDir, 'tmp'))).toEqual([]);
  });

  it('rejects an upload larger than the configured limit with 413 and stores nothing', async () => {
    const small = await startTestServer({ maxUploadBytes: 1000 });
    try {
      // A body far past the limit too: the 413 must reach the client while it is still sending.
      const far = await upload(small.url, { bytes: new Uint8Array(16 * 1024 * 1024), filename: 'far.bin' });
      expect(far.status).toBe(413);
      const reply = await upload(small.url, { bytes: new Uint8Array(5000), filename: 'big.bin' });
      expect(reply.status).toBe(413);
      expect(reply.json).toEqual({
        statusCode: 413,
        message: "file part 'resource' exceeds the upload limit of 1000 bytes",
        error: 'Payload Too Large',
      });
      const list = await send(`${small.url}/resources`);
      expect(list.json.data[0].totalCount).toBe(0);
      expect(await readdir(join(small.dataDir, 'tmp'))).toEqual([]);
      expect(await readdir(join(small.dataDir, 'files'))).toEqual([]);
      // The mask route (E22) honours the same limit.
      const rid = await uploadOk(small.url, {
        bytes: grayPng(2, 2),
        filename: 'ok.png',
        mimetype: 'image/png',
      });
      const [aid] = (
        await send(`${small.url}/annotations/${rid}/annotations`, {
          method: 'POST',
          json: [{ identifier: 'seg', type: 'segmentation', scope: 'frame', frame_index: 0 }],
        })
      ).json;
      const mask = aiohttpMultipart([
        { name: 'file', value: new Uint8Array(5000), contentType: 'image/png', filename: 'seg' },
      ]);
      const tooBig = await send(`${small.url}/annotations/${rid}/annotations/${aid}/file`, {
        method: 'POST',
        body: mask.body,
        headers: { 'content-type': mask.contentType },
      });
      expect(tooBig.status).toBe(413);
      expect(tooBig.json).toEqual({
        statusCode: 413,
        message: "file part 'file' exceeds the upload limit of 1000 bytes",
        error: 'Payload Too Large',
      });
      expect(await readdir(join(small.dataDir, 'files'))).toEqual(['resources']);
      expect(await readdir(join(small.dataDir, 'tmp'))).toEqual([]);
      expect((await send(`${small.url}/annotations?resource_id=${rid}`)).json.data[0].file).toBeNull();
    } finally {
      await small.dispose();
    }
  });

  describe('listing filters', () => {
    let ids: Record<string, string>;
    let fresh: TestServer;
    beforeAll(async () => {
      // A second user of the same customer, so created_by differs between rows.
      fresh = await startTestServer({
        users: [{ email: 'aaron@a.test', customerId: 'customer-a', apiKey: 'test-key-aaron-0003' }],
      });
      const u = (filename: string, mimetype: string, fields: Record<string, string>, key?: string) =>
        uploadOk(fresh.url, { bytes: grayPng(3, 3), filename, mimetype, fields, key });
      ids = {
        a: await u('Knee_emri_small.png', 'image/png', { channel: 'c1', tags: 'a,b', modality: 'CT' }),
        b: await u('video.mp4', 'video/mp4', { channel: 'c1', tags: 'b', modality: 'MR' }),
        c: await u('other.png', 'image/png', { channel: 'c2', tags: 'c' }),
        d: await u('plain.png', 'image/png', {}, 'test-key-aaron-0003'),
      };
      await send(`${fresh.url}/resources/${ids.c}/publish`, { method: 'POST' });
    });
    afterAll(() => fresh.dispose());

    it('returns one data element even when nothing matches', async () => {
      const reply = await send(`${fresh.url}/resources?status=archived&ids=False&offset=0&limit=5000`);
      expect(reply.json).toEqual({ data: [{ resources: [], totalCount: 0 }], totalCount: 0 });
    });

    it('lists newest first by default and treats status= (empty) as any status', async () => {
      expect(await listIds(fresh.url, 'status=&ids=False&offset=0&limit=5000')).toEqual([
        ids.d,
        ids.c,
        ids.b,
        ids.a,
      ]);
      expect(await listIds(fresh.url, 'order_field=created_at&order_by_asc=True')).toEqual([
        ids.a,
        ids.b,
        ids.c,
        ids.d,
      ]);
      expect(await listIds(fresh.url, 'order_field=filename&order_by_asc=true')).toEqual([
        ids.a,
        ids.c,
        ids.d,
        ids.b,
      ]);
      expect(await listIds(fresh.url, 'order_field=filename&order_by_asc=False')).toEqual([
        ids.b,
        ids.d,
        ids.c,
        ids.a,
      ]);
    });

    it('orders by every ResourceFields value both ways, missing values last, ties by upload order', async () => {
      const cases: Array<[string, string[], string[]]> = [
        ['modality', [ids.a, ids.b, ids.c, ids.d], [ids.b, ids.a, ids.d, ids.c]],
        ['created_by', [ids.d, ids.a, ids.b, ids.c], [ids.c, ids.b, ids.a, ids.d]],
        ['published_by', [ids.c, ids.a, ids.b, ids.d], [ids.c, ids.d, ids.b, ids.a]],
        ['published_on', [ids.c, ids.a, ids.b, ids.d], [ids.c, ids.d, ids.b, ids.a]],
        ['filename', [ids.a, ids.c, ids.d, ids.b], [ids.b, ids.d, ids.c, ids.a]],
        ['created_at', [ids.a, ids.b, ids.c, ids.d], [ids.d, ids.c, ids.b, ids.a]],
      ];
      for (const [field, ascending, descending] of cases) {
        expect(await listIds(fresh.url, `order_field=${field}&order_by_asc=True`), field).toEqual(ascending);
        expect(await listIds(fresh.url, `order_field=${field}&order_by_asc=False`), field).toEqual(
          descending,
        );
        // order_by_asc absent: descending (newest first for the default field).
        expect(await listIds(fresh.url, `order_field=${field}`), field).toEqual(descending);
      }
    });

    it('combines filters (AND) and pages after filtering and ordering', async () => {
      expect(await listIds(fresh.url, 'channel_name=c1&modality=CT')).toEqual([ids.a]);
      expect(await listIds(fresh.url, `channel_name=c1&tags=${tagsFilter(['c'])}`)).toEqual([]);
      expect(await listIds(fresh.url, 'mimetype=image%2Fpng&status=inbox&order_by_asc=True')).toEqual([
        ids.a,
        ids.d,
      ]);
      expect(
        await listIds(
          fresh.url,
          'mimetype=image%2Fpng&order_field=filename&order_by_asc=True&offset=1&limit=1',
        ),
      ).toEqual([ids.c]);
      const page = await send(`${fresh.url}/resources?mimetype=image%2Fpng&offset=2&limit=5000`);
      expect(page.json.data[0].totalCount).toBe(3);
      expect(page.json.totalCount).toBe(3);
      expect(page.json.data[0].resources).toHaveLength(1);
    });

    it('filters by status, channel, modality, mimetype and filename substring', async () => {
      expect(await listIds(fresh.url, 'status=inbox')).toEqual([ids.d, ids.b, ids.a]);
      expect(await listIds(fresh.url, 'status=published')).toEqual([ids.c]);
      expect(await listIds(fresh.url, 'channel_name=c1')).toEqual([ids.b, ids.a]);
      expect(await listIds(fresh.url, 'modality=MR')).toEqual([ids.b]);
      expect(await listIds(fresh.url, 'mimetype=video%2Fmp4')).toEqual([ids.b]);
      expect(await listIds(fresh.url, 'filename=EMRI_small')).toEqual([ids.a]);
      expect(await listIds(fresh.url, 'filename=nomatch')).toEqual([]);
    });

    it('filters tags by union (any) and intersection (all); empty items means no filter', async () => {
      expect(await listIds(fresh.url, `tags=${tagsFilter(['a', 'c'])}`)).toEqual([ids.c, ids.a]);
      expect(await listIds(fresh.url, `tags=${tagsFilter(['b'])}`)).toEqual([ids.b, ids.a]);
      expect(await listIds(fresh.url, `tags=${tagsFilter(['a', 'b'], 'intersection')}`)).toEqual([ids.a]);
      expect(await listIds(fresh.url, `tags=${tagsFilter([])}`)).toHaveLength(4);
      // Python's json.dumps + urlencode spelling, spaces as '+'.
      expect(
        await listIds(
          fresh.url,
          'tags=%7B%22items%22%3A+%5B%22a%22%5D%2C+%22filterType%22%3A+%22union%22%7D',
        ),
      ).toEqual([ids.a]);
    });

    it('filters by from/to dates (whole UTC days, inclusive) and ISO date-times', async () => {
      const created = (await send(`${fresh.url}/resources/${ids.a}`)).json.created_at as string;
      const day = created.slice(0, 10);
      expect(await listIds(fresh.url, `from=${day}&to=${day}`)).toHaveLength(4);
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect(await listIds(fresh.url, `from=${next}`)).toEqual([]);
      expect(await listIds(fresh.url, `to=2000-01-01`)).toEqual([]);
      expect(await listIds(fresh.url, `from=${encodeURIComponent(`${day}T00:00:00.000000`)}`)).toHaveLength(
        4,
      );
      expect(
        await listIds(
          fresh.url,
          `to=${encodeURIComponent(created.replace('Z', '+00:00'))}&order_by_asc=True`,
        ),
      ).toContain(ids.a);
    });

    it('accepts and ignores ids=True (full objects are returned)', async () => {
      const reply = await send(`${fresh.url}/resources?ids=True&status=`);
      expect(reply.json.data[0].resources[0]).toHaveProperty('mimetype');
    });

    it('groups channels with string counts, including the "Unknown" channel of uploads without one', async () => {
      const reply = await send(`${fresh.url}/resources/channels?offset=0&limit=5000`);
      expect(reply.status).toBe(200);
      expect(reply.json.totalCount).toBe('3');
      const byName = Object.fromEntries(
        reply.json.data.map((c: { channel_name: string | null }) => [String(c.channel_name), c]),
      );
      expect(byName.c1.resource_count).toBe('2');
      expect(byName.c1.resource_data.map((d: { resource_id: string }) => d.resource_id)).toEqual([
        ids.a,
        ids.b,
      ]);
      expect(byName.c1.resource_data[0]).toEqual({
        created_by: 'alice@a.test',
        customer_id: 'customer-a',
        resource_id: ids.a,
        resource_file_name: 'Knee_emri_small.png',
        resource_mimetype: 'image/png',
      });
      expect(byName.Unknown.resource_count).toBe('1');
      const page = await send(`${fresh.url}/resources/channels?offset=1&limit=1`);
      expect(page.json.data.map((c: { channel_name: string }) => c.channel_name)).toEqual(['c2']);
    });
  });

  it('publishes inbox resources once, then answers the exact "must be in inbox" 400', async () => {
    const id = await uploadOk(server.url, { bytes: grayPng(2, 2), filename: 'p.png', mimetype: 'image/png' });
    const first = await send(`${server.url}/resources/${id}/publish`, { method: 'POST' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      id,
      status: 'published',
      published: true,
      published_by: 'alice@a.test',
    });
    expect(first.json.published_on).toMatch(/Z$/);
    const again = await send(`${server.url}/resources/${id}/publish`, { method: 'POST' });
    expect(again.status).toBe(400);
    expect(again.text).toContain('Resource must be in inbox status to be approved');
    const missing = await send(`${server.url}/resources/00000000-0000-4000-8000-000000000001/publish`, {
      method: 'POST',
    });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('Resource not found');
  });

  it('soft-deletes: afterwards get, file and publish answer 404 and listings omit it', async () => {
    const id = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'del.png',
      mimetype: 'image/png',
    });
    expect((await send(`${server.url}/resources/${id}`, { method: 'DELETE' })).json).toEqual({});
    for (const path of [`/resources/${id}`, `/resources/${id}/file`, `/resources/${id}/frames/0`]) {
      const reply = await send(`${server.url}${path}`);
      expect(reply.status, path).toBe(404);
      expect(reply.json.message).toBe('Resource not found');
    }
    expect((await send(`${server.url}/resources/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await listIds(server.url, 'filename=del.png')).toEqual([]);
  });

  it('renders frame 0 of PNG and JPEG images as PNG and rejects other indexes with 400', async () => {
    const png = grayPng(5, 4);
    const pngId = await uploadOk(server.url, { bytes: png, filename: 'f.png', mimetype: 'image/png' });
    const frame = await send(`${server.url}/resources/${pngId}/frames/0`, {
      headers: { accept: 'image/png' },
    });
    expect(frame.status).toBe(200);
    expect(frame.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(frame.bytes, Buffer.from(png))).toBe(0);
    const out = await send(`${server.url}/resources/${pngId}/frames/1`);
    expect(out.status).toBe(400);
    expect(out.json.message).toBe('Frame index out of range: 1 (the resource has 1 frame)');
    expect(out.json.message).not.toContain(' not found');
    const bad = await send(`${server.url}/resources/${pngId}/frames/-1`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe("frame_index must be a non-negative integer, got '-1'");

    const jpgId = await uploadOk(server.url, {
      bytes: solidJpeg(16, 8, [200, 30, 30]),
      filename: 'f.jpg',
      mimetype: 'image/jpeg',
    });
    const rendered = await send(`${server.url}/resources/${jpgId}/frames/0`);
    expect(rendered.status).toBe(200);
    const image = decode(rendered.bytes);
    expect([image.width, image.height, image.channels]).toEqual([16, 8, 3]);
    expect(Math.abs(image.data[0] - 200)).toBeLessThan(8);
    expect(Math.abs(image.data[1] - 30)).toBeLessThan(8);
  });

  it('answers 501 for stored PNG and JPEG files that do not decode (never 200 with a broken image)', async () => {
    const png = grayPng(8, 8);
    const jpg = solidJpeg(16, 16, [1, 2, 3]);
    const cases: Array<[Uint8Array, string, RegExp]> = [
      [png.slice(0, 40), 'image/png', /^cannot render: the stored PNG does not decode/],
      [jpg.slice(0, jpg.length >> 1), 'image/jpeg', /^cannot render: the stored JPEG does not decode/],
    ];
    for (const [bytes, mimetype, message] of cases) {
      const id = await uploadOk(server.url, { bytes, filename: 'broken', mimetype });
      const reply = await send(`${server.url}/resources/${id}/frames/0`);
      expect(reply.status, mimetype).toBe(501);
      expect(reply.json.message, mimetype).toMatch(message);
    }
  });

  it('answers 501 for formats it cannot render', async () => {
    const id = await uploadOk(server.url, {
      bytes: new Uint8Array([0, 0, 0, 24]),
      filename: 'v.mp4',
      mimetype: 'video/mp4',
    });
    const reply = await send(`${server.url}/resources/${id}/frames/0`);
    expect(reply.status).toBe(501);
    expect(reply.json.message).toMatch(/not supported for mimetype 'video\/mp4'/);
  });
});
