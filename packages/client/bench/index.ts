/**
 * `pnpm bench` for @datamint/client. Speed and memory are reported as ratios against baselines
 * measured in the same run, never asserted. Every measurement runs in a fresh child process, so
 * RSS and heap numbers belong to that measurement alone; the server is another process.
 *  1. Upload 1,000 files of 256 KiB from disk with `uploadResources` vs a raw undici loop that POSTs
 *     prebuilt multipart bodies from memory (the server bench's loop), both 10 in flight.
 *     Each run also reports the server's CPU per upload (from /proc, Linux only).
 *  2. Iterate 100,000 resources with `for await (getResources())` vs `.toArray()`: the heap retained
 *     while streaming stays at about one page, whatever the listing size.
 * Settings: BENCH_FILES, BENCH_ROUNDS, BENCH_LIST_ROWS, BENCH_WARM (uploads before measuring, 200),
 * BENCH_PROFILE=DIR (a CPU profile of each measurement).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
// The built package, as users import it (the bench task builds it first).
import { APIHandler } from '@datamint/client';
import { Agent, FormData, request } from 'undici';

const FILES = Number(process.env.BENCH_FILES ?? 1000);
const FILE_BYTES = 256 * 1024;
const IN_FLIGHT = 10;
const LIST_ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const PAGE = 5000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
// Warm-up outside the measurement: code compilation, connections, the server's first requests.
// V8 keeps optimizing the client's upload path over a process's first few thousand uploads (the
// first thousand cost about twice the CPU of the third), so the figures include part of that
// warming, as a real run of a thousand files would. The raw loop gets the same warm-up.
const WARM = Number(process.env.BENCH_WARM ?? 200);
const KEY = 'bench-key-0123456789';
const self = fileURLToPath(import.meta.url);
const serverBin = fileURLToPath(new URL('../../server/src/bin.ts', import.meta.url));
/** The server's own seeding helper: inserting 100,000 rows directly measures listing, not uploads. */
const seedModule = new URL('../../server/test/support/seed.ts', import.meta.url).href;
type Seed = (dataDir: string, customerId: string, count: number) => string[];

interface Measure {
  items: number;
  seconds: number;
  perSecond: number;
  mbPerSecond: number;
  /** CPU time (user + system) of the measuring process during the measurement, in seconds. */
  cpuSeconds: number;
  /** CPU time of the server process over the whole child run (warm-up included), in seconds. */
  serverCpuSeconds?: number;
  /** Peak resident memory of the measuring process (VmHWM). */
  rssPeakMb: number;
  /** Largest heap in use after a forced GC, over the heap before the measurement. */
  retainedMb: number;
  /** The same at each probe (for listings: once per page). */
  samplesMb: number[];
}

async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function peakRssMb(): Promise<number> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
  } catch {
    return process.memoryUsage.rss() / 1024 / 1024;
  }
}

/** Runs `fn`, timing it and tracking the heap retained at each `probe()` (after a forced GC). */
async function measure(
  items: number,
  bytes: number,
  fn: (probe: () => void) => Promise<number | undefined>,
): Promise<Measure> {
  const gc = globalThis.gc ?? (() => undefined);
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const samplesMb: number[] = [];
  const probe = () => {
    gc();
    const used = process.memoryUsage().heapUsed;
    samplesMb.push((used - base) / 1024 / 1024);
    peak = Math.max(peak, used);
  };
  const profiler = await startProfiler();
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const counted = (await fn(probe)) ?? items;
  const cpu = process.cpuUsage(cpuStart);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await profiler?.();
  probe();
  return {
    items: counted,
    seconds,
    perSecond: counted / seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssPeakMb: await peakRssMb(),
    retainedMb: (peak - base) / 1024 / 1024,
    samplesMb,
  };
}

/**
 * With `BENCH_PROFILE=DIR`, a V8 CPU profile of the measurement alone (warm-up and setup left out)
 * is written to DIR, one `.cpuprofile` per measuring process (open it in Chrome DevTools).
 */
async function startProfiler(): Promise<(() => Promise<void>) | undefined> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${process.argv[3]}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

async function filesOf(dir: string): Promise<string[]> {
  return Array.from({ length: FILES }, (_, i) => path.join(dir, `file-${String(i).padStart(5, '0')}.bin`));
}

/** Child-process side: one measurement, printed as JSON. */
async function worker(kind: string, url: string, arg: string): Promise<void> {
  const agent = new Agent({ connections: IN_FLIGHT });
  const api = new APIHandler({ rootUrl: url, apiKey: KEY, configFile: null, concurrency: IN_FLIGHT });
  let result: Measure;
  if (kind === 'raw' || kind === 'raw-keyed' || kind === 'client') {
    const all = await filesOf(arg);
    for (let done = 0; done < WARM; done += all.length) {
      await api.uploadResources(all.slice(0, Math.min(all.length, WARM - done)), { channel: 'warm-up' });
    }
  } else {
    await api.getResources({ pageSize: PAGE, limit: PAGE }).toArray();
  }
  if (kind === 'raw' || kind === 'raw-keyed') {
    const paths = await filesOf(arg);
    // Bodies built in memory up front so the loop measures HTTP only, as in the server bench.
    const bodies = await Promise.all(
      paths.map(async (file, i) => {
        const form = new FormData();
        form.append('source', 'api');
        form.append('resource', new Blob([await readFile(file)]), `raw-${i}.bin`);
        form.append('source_filepath', `raw/raw-${i}.bin`);
        const response = new Response(form as unknown as BodyInit);
        return {
          body: new Uint8Array(await response.arrayBuffer()),
          type: response.headers.get('content-type')!,
        };
      }),
    );
    result = await measure(FILES, FILES * FILE_BYTES, async () => {
      await pool(bodies.length, IN_FLIGHT, async (i) => {
        const res = await request(`${url}/resources`, {
          method: 'POST',
          body: bodies[i]!.body,
          headers: {
            apikey: KEY,
            'content-type': bodies[i]!.type,
            // What the client sends with every create: the server then fingerprints the upload.
            ...(kind === 'raw-keyed' ? { 'idempotency-key': `raw-${process.pid}-${i}` } : {}),
          },
          dispatcher: agent,
        });
        await res.body.text();
        if (res.statusCode >= 300) throw new Error(`raw upload ${i} answered ${res.statusCode}`);
      });
      return undefined;
    });
  } else if (kind === 'client') {
    const paths = await filesOf(arg);
    result = await measure(FILES, FILES * FILE_BYTES, async () => {
      const results = await api.uploadResources(paths, { channel: 'client', onError: 'skip' });
      const failed = results.filter((r) => !r.ok).length;
      if (failed > 0) throw new Error(`${failed} client uploads failed`);
      return undefined;
    });
  } else if (kind === 'stream') {
    result = await measure(0, 0, async (probe) => {
      let n = 0;
      for await (const resource of api.getResources({ pageSize: PAGE })) {
        if (resource.id) n++;
        // Mid-page: the current page is alive, the earlier ones must not be.
        if (n % PAGE === PAGE / 2) probe();
      }
      return n;
    });
  } else {
    let all: unknown[] = [];
    result = await measure(0, 0, async () => {
      all = await api.getResources({ pageSize: PAGE }).toArray();
      return all.length;
    });
    all = [];
  }
  await api.close();
  await agent.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function child(kind: string, url: string, arg = ''): Promise<Measure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', self, 'worker', kind, url, arg],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measure;
}

/** User + system CPU of a process so far (Linux `/proc`; NaN elsewhere), in seconds. */
async function processCpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them,
    // in clock ticks of 1/100 s (USER_HZ, fixed at 100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Writes every file system's dirty pages to disk (`sync`); a no-op where there is no `sync`. */
async function flushToDisk(): Promise<void> {
  await promisify(execFile)('sync').catch(() => undefined);
}

/** The server binary in its own process; resolves once it prints `listening on URL`. */
async function spawnServer(
  dataDir: string,
): Promise<{ url: string; cpuSeconds: () => Promise<number>; stop: () => Promise<void> }> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      serverBin,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--api-key',
      KEY,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`datamint-server exited with ${code}`)));
  });
  return {
    url,
    cpuSeconds: () => processCpuSeconds(proc.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

function uploadLine(label: string, m: Measure): void {
  console.log(
    `${label.padEnd(36)} ${m.perSecond.toFixed(0).padStart(7)} files/s ${m.mbPerSecond.toFixed(1).padStart(7)} MB/s ${m.seconds.toFixed(2).padStart(7)} s  CPU ${m.cpuSeconds.toFixed(2)} s  server CPU/file ${(((m.serverCpuSeconds ?? Number.NaN) / (m.items + WARM)) * 1000).toFixed(2)} ms  RSS peak ${m.rssPeakMb.toFixed(0)} MB`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
}

/** `median M, LOW to HIGH` of per-round ratios. */
function spread(ratios: number[]): string {
  return `median ${median(ratios).toFixed(2)}, ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}`;
}

function best(a: Measure | undefined, b: Measure): Measure {
  return !a || b.perSecond > a.perSecond ? b : a;
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'datamint-client-bench-'));
  const server = await spawnServer(path.join(work, 'data'));
  try {
    console.log(
      `@datamint/client bench: ${FILES} uploads of ${FILE_BYTES / 1024} KiB, ${IN_FLIGHT} in flight; iterate ${LIST_ROWS} resources in pages of ${PAGE}`,
    );
    const dir = path.join(work, 'files');
    await mkdir(dir);
    const paths = await filesOf(dir);
    await pool(FILES, 16, async (i) => writeFile(paths[i]!, randomBytes(FILE_BYTES)));

    // The machine may be shared: alternate the kinds and keep each one's best round.
    // A round is one run of each kind back to back; the server's disk writes make single runs
    // move by 20% or more, so both the best runs and the median round are reported.
    let raw: Measure | undefined;
    let keyed: Measure | undefined;
    let client: Measure | undefined;
    const roundRatios: number[] = [];
    const keyedRoundRatios: number[] = [];
    const rates = { raw: [] as number[], keyed: [] as number[], client: [] as number[] };
    const upload = async (kind: string): Promise<Measure> => {
      // Each run stores 300 MB: what one run leaves to write back to disk would otherwise slow
      // the next one down, so every run starts with nothing left to write.
      await flushToDisk();
      const before = await server.cpuSeconds();
      const m = await child(kind, server.url, dir);
      return { ...m, serverCpuSeconds: (await server.cpuSeconds()) - before };
    };
    const kinds = ['raw', 'raw-keyed', 'client'];
    for (let round = 0; round < ROUNDS; round++) {
      // The order turns with each round, so no kind always runs after the others.
      const measured = new Map<string, Measure>();
      for (let i = 0; i < kinds.length; i++) {
        const kind = kinds[(round + i) % kinds.length]!;
        measured.set(kind, await upload(kind));
      }
      const rawRound = measured.get('raw')!;
      const keyedRound = measured.get('raw-keyed')!;
      const clientRound = measured.get('client')!;
      console.log(
        `  round ${round + 1} (${kinds.map((_, i) => kinds[(round + i) % kinds.length]).join(', ')}): files/s raw ${rawRound.perSecond.toFixed(0)}, keyed ${keyedRound.perSecond.toFixed(0)}, client ${clientRound.perSecond.toFixed(0)}`,
      );
      roundRatios.push(clientRound.perSecond / rawRound.perSecond);
      rates.raw.push(rawRound.perSecond);
      rates.keyed.push(keyedRound.perSecond);
      rates.client.push(clientRound.perSecond);
      keyedRoundRatios.push(clientRound.perSecond / keyedRound.perSecond);
      raw = best(raw, rawRound);
      keyed = best(keyed, keyedRound);
      client = best(client, clientRound);
    }
    uploadLine('baseline raw undici loop (memory)', raw!);
    uploadLine('raw loop, Idempotency-Key on each', keyed!);
    uploadLine('client uploadResources (from disk)', client!);
    console.log(
      `  ratio client/raw: files/s ${(client!.perSecond / raw!.perSecond).toFixed(2)} (aim >= 0.9), RSS ${(client!.rssPeakMb / raw!.rssPeakMb).toFixed(2)}; best of ${ROUNDS} alternating rounds`,
    );
    console.log(
      `  ratio client/raw keyed: files/s ${(client!.perSecond / keyed!.perSecond).toFixed(2)}; best of ${ROUNDS} alternating rounds`,
    );
    console.log(
      `  ratio per round, client/raw: ${spread(roundRatios)}; client/raw keyed: ${spread(keyedRoundRatios)}`,
    );
    // Each kind's median over the rounds: one slow run of either side moves it less than it moves
    // that round's ratio.
    console.log(
      `  ratio of median files/s over ${ROUNDS} rounds, client/raw: ${(median(rates.client) / median(rates.raw)).toFixed(2)} (aim >= 0.9); client/raw keyed: ${(median(rates.client) / median(rates.keyed)).toFixed(2)}`,
    );
    console.log(
      `  CPU per file: client ${((client!.cpuSeconds / client!.items) * 1000).toFixed(2)} ms, raw ${((raw!.cpuSeconds / raw!.items) * 1000).toFixed(2)} ms`,
    );

    const users = (await (
      await request(`${server.url}/users`, { headers: { apikey: KEY } })
    ).body.json()) as Array<{
      customer_id: string;
    }>;
    // Each round's three upload runs left their files (and their warm-up's) in the listing.
    const toSeed = Math.max(0, LIST_ROWS - 3 * ROUNDS * (FILES + WARM));
    const { seedResources } = (await import(seedModule)) as { seedResources: Seed };
    seedResources(path.join(work, 'data'), users[0]!.customer_id, toSeed);

    const stream = await child('stream', server.url);
    const collect = await child('collect', server.url);
    const perPage = collect.retainedMb / Math.ceil(collect.items / PAGE);
    console.log(
      `iterate (for await)                  ${stream.perSecond.toFixed(0).padStart(7)} items/s  ${stream.items} items  retained heap ${stream.retainedMb.toFixed(1)} MB  RSS peak ${stream.rssPeakMb.toFixed(0)} MB`,
    );
    console.log(
      `baseline collect (.toArray())        ${collect.perSecond.toFixed(0).padStart(7)} items/s  ${collect.items} items  retained heap ${collect.retainedMb.toFixed(1)} MB  RSS peak ${collect.rssPeakMb.toFixed(0)} MB`,
    );
    const pages = stream.samplesMb.slice(0, -1);
    const half = Math.floor(pages.length / 2);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    console.log(
      `  one page ~${perPage.toFixed(1)} MB (collect / pages). Streaming, retained per page: first half ${avg(pages.slice(0, half)).toFixed(1)} MB, second half ${avg(pages.slice(half)).toFixed(1)} MB, max ${Math.max(...pages).toFixed(1)} MB over ${pages.length} pages (flat = bounded by a page, not the listing)`,
    );
    console.log(
      `  ratios streaming/collect: retained memory ${(stream.retainedMb / collect.retainedMb).toFixed(2)}, speed ${(stream.perSecond / collect.perSecond).toFixed(2)}`,
    );
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const [mode, kind, url, arg] = process.argv.slice(2);
(mode === 'worker' ? worker(kind!, url!, arg ?? '') : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
