import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DATABASE_FILE, startServer } from '@datamint/server';
import { describe, expect, it } from 'vitest';
import { homeEnv, makeHome, packageRoot, repoRoot, runCli } from './helpers/cli';
import { ct5n, pngGray, sharedDataAvailable } from './helpers/data';

const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;
// The server's own SQLite driver, to read which idempotency key created which resource.
const Database = createRequire(join(repoRoot, 'packages', 'server', 'package.json'))(
  'better-sqlite3',
) as new (
  file: string,
  options: { readonly: boolean },
) => { prepare(sql: string): { all(): unknown[] }; close(): void };
const KEY = 'resume-key-0123456789abcdef';
const PNGS = 40;

interface JournalLine {
  unit?: string;
  key?: string;
  state: string;
}

function readJournal(dir: string): JournalLine[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  if (files.length === 0) return [];
  return readFileSync(join(dir, files[0]!), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalLine];
      } catch {
        return []; // a line being written right now
      }
    });
}

describe.skipIf(!sharedDataAvailable())('datamint upload --resume after SIGKILL', () => {
  it('uploads every file exactly once and re-sends a unit of unknown outcome under its original key', async () => {
    // One upload at a time, each announced in the journal (with its key) before its request goes out:
    // the kill lands while one is in flight, never confirmed.
    const dataDir = mkdtempSync(join(tmpdir(), 'datamint-cli-resume-'));
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      apiKeys: [KEY],
    });
    const home = makeHome();
    const work = mkdtempSync(join(tmpdir(), 'datamint-cli-resume-work-'));
    const journalDir = join(dirname(home.configFile), 'uploads');
    const args = ['upload', 'd', '--recursive', '--yes', '--resume', '--concurrency', '1'];
    const env = { ...homeEnv(home.home), DATAMINT_API_KEY: KEY, DATAMINT_API_URL: server.url };
    try {
      mkdirSync(join(work, 'd'));
      const names: string[] = [];
      for (let i = 0; i < PNGS; i++) {
        const name = `img-${String(i).padStart(2, '0')}.png`;
        copyFileSync(pngGray, join(work, 'd', name));
        names.push(name);
      }
      // A DICOM series too: assembled and anonymized, so a re-send must rebuild the same bytes.
      cpSync(ct5n, join(work, 'd', 'ct'), { recursive: true });

      const child = spawn(
        process.execPath,
        ['--import', tsxLoader, join(packageRoot, 'src', 'bin.ts'), ...args],
        {
          cwd: work,
          env: {
            ...process.env,
            ...env,
            TSX_TSCONFIG_PATH: join(packageRoot, 'test', 'tsconfig.run.json'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let childOutput = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        childOutput += d;
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        childOutput += d;
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('close', (_c, signal) => resolve(signal)),
      );
      // Poll the journal until some units landed and others are in flight, then kill without warning.
      let atKill: JournalLine[] = [];
      for (;;) {
        atKill = readJournal(journalDir);
        const started = atKill.filter((l) => l.state === 'started').length;
        const done = atKill.filter((l) => l.state === 'done').length;
        if (done >= 3 && started > done) break;
        if (child.exitCode !== null)
          throw new Error(`the upload ended before it could be killed: ${childOutput}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      // Read again after the kill: the journal is what the killed process left.
      atKill = readJournal(journalDir);
      const doneUnits = new Set(atKill.filter((l) => l.state === 'done').map((l) => l.unit));
      const unknown = atKill.filter((l) => l.state === 'started' && !doneUnits.has(l.unit));
      expect(unknown.length).toBeGreaterThan(0);
      expect(doneUnits.size).toBeLessThan(PNGS + 1);

      const again = await runCli([...args, '--json'], { cwd: work, env });
      expect(again.stderr).not.toMatch(/error/i);
      expect(again.code).toBe(0);

      const resources = await (async () => {
        const { APIHandler } = await import('@datamint/client');
        const api = new APIHandler({ rootUrl: server.url, apiKey: KEY, configFile: null, env: {} });
        try {
          return await api.getResources({ returnIdsOnly: false }).toArray();
        } finally {
          await api.close();
        }
      })();
      // Every file exactly once: the PNGs by name, the series as one multi-frame resource.
      const pngNames = resources.filter((r) => r.filename.endsWith('.png')).map((r) => r.filename);
      expect(pngNames.sort()).toEqual(names);
      expect(resources.filter((r) => !r.filename.endsWith('.png'))).toHaveLength(1);
      expect(resources).toHaveLength(PNGS + 1);

      // Each unit of unknown outcome was sent again under the key the killed run recorded: the server
      // stored (or replayed) its resource under that very key.
      const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
      const rows = db
        .prepare("SELECT key, entity_id FROM idempotency_keys WHERE endpoint LIKE '%/resources'")
        .all() as { key: string; entity_id: string }[];
      db.close();
      const byKey = new Map(rows.map((r) => [r.key, r.entity_id]));
      const ids = new Set(resources.map((r) => r.id));
      for (const line of unknown) {
        expect(byKey.has(line.key!), `key ${line.key} of unit ${line.unit}`).toBe(true);
        expect(ids.has(byKey.get(line.key!)!)).toBe(true);
      }
      // A run where everything landed forgets its journal.
      expect(readJournal(journalDir)).toEqual([]);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
      home.cleanup();
    }
  }, 300_000); // two CLI runs from source through tsx, under a throttled server
});
