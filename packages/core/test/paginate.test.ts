import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, Paginated } from '../src/index';
import { type Loopback, loopback, sendJson } from './loopback';

let server: Loopback | undefined;
let client: HttpClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

const TOTAL = 12_345;

async function itemsServer(): Promise<Loopback> {
  return loopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    const items = [];
    for (let i = offset; i < Math.min(offset + limit, TOTAL); i++) items.push({ id: i });
    // The resources endpoint's nesting: { data: [ { resources: [...] } ] }
    sendJson(res, 200, { data: [{ resources: items, totalCount: TOTAL }] });
  });
}

function listing(c: HttpClient, pageSize?: number): Paginated<{ id: number }> {
  return new Paginated(
    async ({ offset, limit, signal }) => {
      const body = await c.request<{ data: [{ resources: { id: number }[] }] }>({
        method: 'GET',
        path: 'resources',
        query: { offset, limit },
        signal,
      });
      return body.data[0].resources;
    },
    { pageSize },
  );
}

describe('Paginated', () => {
  it('walks 12,345 items in 3 pages with offsets 0, 5000, 10000', async () => {
    server = await itemsServer();
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    const all = await listing(client).toArray();
    expect(all).toHaveLength(TOTAL);
    expect(all[0]).toEqual({ id: 0 });
    expect(all[TOTAL - 1]).toEqual({ id: TOTAL - 1 });
    expect(server.requests.map((r) => r.url)).toEqual([
      '/resources?offset=0&limit=5000',
      '/resources?offset=5000&limit=5000',
      '/resources?offset=10000&limit=5000',
    ]);
  });

  it('is lazy and holds one page: first() fetches one page, pages() yields arrays', async () => {
    server = await itemsServer();
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    const list = listing(client, 1000);
    expect(server.requests).toHaveLength(0);
    expect(await list.first()).toEqual({ id: 0 });
    expect(server.requests).toHaveLength(1);
    const sizes: number[] = [];
    for await (const page of list.pages()) sizes.push(page.length);
    expect(sizes).toEqual([...Array(12).fill(1000), 345]);
  });

  it('an exact multiple of the page size ends on an empty page', async () => {
    let calls = 0;
    const list = new Paginated<number>(
      async ({ offset, limit }) => {
        calls++;
        return offset >= 10 ? [] : Array.from({ length: limit }, (_, i) => offset + i);
      },
      { pageSize: 5 },
    );
    expect(await list.toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls).toBe(3);
  });

  it('limit stops early and map transforms lazily', async () => {
    const list = new Paginated<number>(
      async ({ offset, limit }) => Array.from({ length: limit }, (_, i) => offset + i),
      {
        pageSize: 4,
        limit: 6,
      },
    );
    expect(await list.map((n) => n * 10).toArray()).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it('rejects a bad page size', () => {
    expect(() => new Paginated(async () => [], { pageSize: 0 })).toThrow(RangeError);
  });
});
