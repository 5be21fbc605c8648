import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAnnotations, seedResources } from './support/seed';
import { send, startTestServer, type TestServer } from './support/server';

const SIZES = [0, 1, 5000, 5001] as const;
const PAGE = 5000;

/** Pages the way the Python SDK does: offset += 5000 until a page holds fewer than 5000 items. */
async function pageAll(
  fetchPage: (offset: number) => Promise<unknown[]>,
): Promise<{ pages: number[]; items: unknown[] }> {
  const pages: number[] = [];
  const items: unknown[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await fetchPage(offset);
    pages.push(page.length);
    items.push(...page);
    if (page.length < PAGE) return { pages, items };
  }
}

describe('pagination boundaries (0, 1, 5000, 5001 items)', () => {
  let server: TestServer;
  const resourceIds = new Map<number, string[]>();
  const key = (n: number) => `key-pagination-${n}`;

  beforeAll(async () => {
    server = await startTestServer({
      apiKeys: SIZES.map((n) => ({ key: key(n), email: `u${n}@p.test`, customerId: `cust-${n}` })),
    });
    for (const n of SIZES) resourceIds.set(n, seedResources(server.dataDir, `cust-${n}`, n));
    // Annotations hang off one resource per customer (when it has one).
    for (const n of SIZES) if (n > 0) seedAnnotations(server.dataDir, `cust-${n}`, resourceIds.get(n)![0], n);
  });
  afterAll(() => server.dispose());

  for (const n of SIZES) {
    it(`GET /resources pages ${n} items into full pages plus a short last page, no overlap`, async () => {
      const { pages, items } = await pageAll(async (offset) => {
        const reply = await send(`${server.url}/resources?status=&ids=False&offset=${offset}&limit=${PAGE}`, {
          key: key(n),
        });
        expect(reply.status).toBe(200);
        expect(reply.json.data).toHaveLength(1);
        expect(reply.json.totalCount).toBe(n);
        expect(reply.json.data[0].totalCount).toBe(n);
        return reply.json.data[0].resources;
      });
      expect(pages).toEqual(n === 5000 ? [5000, 0] : n === 5001 ? [5000, 1] : [n]);
      const ids = items.map((r) => (r as { id: string }).id);
      expect(new Set(ids).size).toBe(n);
      expect([...ids].sort()).toEqual([...resourceIds.get(n)!].sort());
      // Default order: newest first.
      if (n > 1) expect(ids[0]).toBe(resourceIds.get(n)![n - 1]);
    });

    it(`GET /annotations pages ${n} items`, async () => {
      const { pages, items } = await pageAll(async (offset) => {
        const reply = await send(`${server.url}/annotations?offset=${offset}&limit=${PAGE}`, { key: key(n) });
        expect(reply.json.totalCount).toBe(n);
        return reply.json.data;
      });
      expect(pages).toEqual(n === 5000 ? [5000, 0] : n === 5001 ? [5000, 1] : [n]);
      expect(new Set(items.map((a) => (a as { id: string }).id)).size).toBe(n);
    });
  }

  it('returns everything from offset when limit is absent, and nothing past the end', async () => {
    const all = await send(`${server.url}/resources?offset=4990`, { key: key(5001) });
    expect(all.json.data[0].resources).toHaveLength(11);
    const past = await send(`${server.url}/resources?offset=9999&limit=5000`, { key: key(5001) });
    expect(past.json.data[0].resources).toEqual([]);
    const zero = await send(`${server.url}/resources?limit=0`, { key: key(5001) });
    expect(zero.json.data[0].resources).toEqual([]);
    expect(zero.json.totalCount).toBe(5001);
  });

  it('pages channels with offset/limit', async () => {
    const reply = await send(`${server.url}/resources/channels?offset=0&limit=2`, { key: key(5001) });
    expect(reply.json.totalCount).toBe('3');
    expect(reply.json.data).toHaveLength(2);
    const counts = reply.json.data.map((c: { resource_count: string }) => Number(c.resource_count));
    expect(counts).toEqual([1667, 1667]);
  });
});

describe('GET /projects/:id/resources (deprecated, no pagination in the Python SDK)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('answers at most 4999 items without limit (so the SDK loop ends) and pages with offset/limit', async () => {
    const ids = seedResources(server.dataDir, 'customer-a', 5001);
    const project = (
      await send(`${server.url}/projects`, { method: 'POST', json: { name: 'Big', resource_ids: [] } })
    ).json;
    const add = await send(`${server.url}/datasets/${project.dataset_id}/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: ids, all_files_selected: false },
    });
    expect(add.status).toBe(200);
    const capped = await send(`${server.url}/projects/${project.id}/resources`);
    expect(capped.json).toHaveLength(4999);
    expect(capped.json[0].id).toBe(ids[0]);
    const tail = await send(`${server.url}/projects/${project.id}/resources?offset=5000&limit=5000`);
    expect(tail.json.map((r: { id: string }) => r.id)).toEqual([ids[5000]]);
  });

  it('pages annotation worklists (E23) with offset/limit, in creation order, status filter before paging', async () => {
    const worklists: string[] = [];
    for (const name of ['W1', 'W2', 'W3']) {
      worklists.push(
        (await send(`${server.url}/projects`, { method: 'POST', json: { name } })).json.worklist_id,
      );
    }
    await send(`${server.url}/annotationsets/${worklists[2]}`, {
      method: 'PATCH',
      json: { status: 'active' },
    });
    const page = async (query: string) => {
      const reply = await send(`${server.url}/annotationsets?${query}`);
      expect(reply.status).toBe(200);
      return reply.json as { data: Array<{ id: string }>; totalCount: number };
    };
    const all = (await page('offset=0&limit=5000')).data.map((w) => w.id);
    expect(all.slice(-3)).toEqual(worklists);
    const second = await page(`offset=${all.length - 2}&limit=1`);
    expect(second.data.map((w) => w.id)).toEqual([worklists[1]]);
    expect(second.totalCount).toBe(all.length);
    expect((await page(`offset=${all.length}&limit=5000`)).data).toEqual([]);
    const active = await page('status=active&offset=0&limit=1');
    expect(active.data.map((w) => w.id)).toEqual([worklists[2]]);
    expect(active.totalCount).toBe(1);
  });
});
