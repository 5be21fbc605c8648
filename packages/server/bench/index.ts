/**
 * `pnpm bench` for @datamint/server: loopback upload and listing throughput of the real binary, each
 * printed with a ratio against a baseline measured in the same run (a raw HTTP sink for uploads,
 * plain file writes, direct SQLite reads for listings). These are the numbers the client's own
 * overhead is compared with. Nothing here asserts a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { DATABASE_FILE } from '../src/index';
import { spawnServer } from '../test/support/bin';
import { aiohttpMultipart } from '../test/support/multipart';
import { seedResources } from '../test/support/seed';

const FILES = Number(process.env.BENCH_FILES ?? 1000);
const FILE_BYTES = 256 * 1024;
const IN_FLIGHT = 10;
const LIST_ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const PAGE = 5000;
const KEY = 'bench-key';

interface Rate {
  seconds: number;
  perSecond: number;
  mbPerSecond: number;
}

function rate(count: number, bytes: number, startNs: bigint): Rate {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return { seconds, perSecond: count / seconds, mbPerSecond: bytes / 1e6 / seconds };
}

async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Peak and current resident memory of a process, from /proc (Linux); undefined elsewhere. */
async function rssOf(pid: number): Promise<{ currentMb: number; peakMb: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
    return { currentMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

async function uploadLoop(
  url: string,
  bodies: Array<{ body: Buffer; contentType: string }>,
  agent: Agent,
): Promise<Rate> {
  const start = process.hrtime.bigint();
  await pool(bodies.length, IN_FLIGHT, async (i) => {
    const res = await request(`${url}/resources`, {
      method: 'POST',
      body: bodies[i].body,
      headers: { apikey: KEY, 'content-type': bodies[i].contentType },
      dispatcher: agent,
    });
    await res.body.text();
    if (res.statusCode !== 201) throw new Error(`upload ${i} answered ${res.statusCode}`);
  });
  return rate(bodies.length, bodies.length * FILE_BYTES, start);
}

async function rawSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"id":"x"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function line(label: string, r: Rate, extra = ''): void {
  console.log(
    `${label.padEnd(34)} ${r.perSecond.toFixed(0).padStart(8)} /s  ${r.mbPerSecond.toFixed(1).padStart(8)} MB/s  ${r.seconds.toFixed(2).padStart(7)} s${extra}`,
  );
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'datamint-server-bench-'));
  const agent = new Agent({ connections: IN_FLIGHT });
  try {
    const bodies = Array.from({ length: FILES }, (_, i) =>
      aiohttpMultipart([
        { name: 'source', value: 'api' },
        { name: 'resource', value: randomBytes(FILE_BYTES), filename: `bench-${i}.bin` },
        { name: 'source_filepath', value: `bench/bench-${i}.bin` },
      ]),
    );
    console.log(
      `@datamint/server bench: ${FILES} uploads of ${FILE_BYTES / 1024} KiB, ${IN_FLIGHT} in flight; list ${LIST_ROWS} rows in pages of ${PAGE}`,
    );

    // Baseline 1: the same undici loop against a server that only drains the body.
    const sink = await rawSink();
    const sinkRate = await uploadLoop(sink.url, bodies, agent);
    await sink.close();
    // Baseline 2: writing the same bytes to files directly.
    const copyStart = process.hrtime.bigint();
    await pool(FILES, IN_FLIGHT, async (i) => writeFile(join(work, `copy-${i}`), bodies[i].body));
    const copyRate = rate(FILES, FILES * FILE_BYTES, copyStart);

    const bin = await spawnServer(['--port', '0', '--data-dir', join(work, 'data'), '--api-key', KEY]);
    try {
      const uploadRate = await uploadLoop(bin.url, bodies, agent);
      const rss = await rssOf(bin.child.pid!);

      line('baseline raw HTTP sink', sinkRate);
      line('baseline file writes', copyRate);
      line('datamint-server uploads', uploadRate);
      console.log(
        `  ratio uploads/raw sink ${(uploadRate.mbPerSecond / sinkRate.mbPerSecond).toFixed(2)}, uploads/file writes ${(uploadRate.mbPerSecond / copyRate.mbPerSecond).toFixed(2)}`,
      );
      console.log(
        rss
          ? `  server RSS ${rss.currentMb.toFixed(0)} MB (peak ${rss.peakMb.toFixed(0)} MB)`
          : '  server RSS: n/a (no /proc)',
      );

      // Listing: seed rows directly, then page through them as a client would.
      const users = (await (
        await request(`${bin.url}/users`, { headers: { apikey: KEY } })
      ).body.json()) as Array<{
        customer_id: string;
      }>;
      const customerId = users[0].customer_id;
      seedResources(join(work, 'data'), customerId, LIST_ROWS);
      const total = LIST_ROWS + FILES;

      const directStart = process.hrtime.bigint();
      const db = new Database(join(work, 'data', DATABASE_FILE), { readonly: true });
      let directBytes = 0;
      for (let offset = 0; offset < total; offset += PAGE) {
        const rows = db
          .prepare(
            'SELECT * FROM resources WHERE customer_id = ? AND deleted = 0 ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?',
          )
          .all(customerId, PAGE, offset);
        directBytes += JSON.stringify(rows).length;
      }
      db.close();
      const directRate = rate(total, directBytes, directStart);

      const listStart = process.hrtime.bigint();
      let listed = 0;
      let listBytes = 0;
      for (let offset = 0; ; offset += PAGE) {
        const res = await request(`${bin.url}/resources?status=&ids=False&offset=${offset}&limit=${PAGE}`, {
          headers: { apikey: KEY },
          dispatcher: agent,
        });
        const text = await res.body.text();
        listBytes += text.length;
        const page = (JSON.parse(text) as { data: Array<{ resources: unknown[] }> }).data[0].resources.length;
        listed += page;
        if (page < PAGE) break;
      }
      if (listed !== total) throw new Error(`listed ${listed} resources, expected ${total}`);
      const listRate = rate(listed, listBytes, listStart);
      line('baseline direct SQLite + JSON', directRate);
      line('datamint-server GET /resources', listRate);
      console.log(`  ratio list/direct SQLite ${(listRate.perSecond / directRate.perSecond).toFixed(2)}`);
      const after = await rssOf(bin.child.pid!);
      if (after)
        console.log(
          `  server RSS after listing ${after.currentMb.toFixed(0)} MB (peak ${after.peakMb.toFixed(0)} MB)`,
        );
    } finally {
      bin.child.kill('SIGTERM');
      await bin.exited;
    }
  } finally {
    await agent.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
