import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer } from '@datamint/server';
import { describe, expect, it } from 'vitest';
import { homeEnv, makeHome, packageRoot } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';

const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;
const KEY = 'interrupt-key-1234567890';

describe.skipIf(!sharedDataAvailable())('Ctrl-C during an upload', () => {
  it('aborts the uploads in flight and exits 130 with one line', async () => {
    // Every request is held by the server's "slow" fault, so the upload is surely in flight.
    const dataDir = mkdtempSync(join(tmpdir(), 'datamint-cli-interrupt-'));
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      apiKeys: [KEY],
      faults: { rate: 1, kinds: ['slow'], slowMs: 4000 },
    });
    const home = makeHome();
    const work = mkdtempSync(join(tmpdir(), 'datamint-cli-interrupt-work-'));
    mkdirSync(join(work, 'd'));
    copyFileSync(pngGray, join(work, 'd', 'a.png'));
    try {
      const child = spawn(
        process.execPath,
        ['--import', tsxLoader, join(packageRoot, 'src', 'bin.ts'), 'upload', 'd', '--yes', '--verbose'],
        {
          cwd: work,
          env: {
            ...process.env,
            ...homeEnv(home.home),
            DATAMINT_API_KEY: KEY,
            DATAMINT_API_URL: server.url,
            TSX_TSCONFIG_PATH: join(packageRoot, 'test', 'tsconfig.run.json'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve) => {
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          // --verbose logs each request as it starts: from then on the upload is in flight.
          if (/debug: POST \S+\/resources/.test(stderr)) resolve();
        });
      });
      child.kill('SIGINT');
      const code = await exited;
      expect(code).toBe(130);
      expect(stderr).toContain('Interrupted: stopping the uploads in flight');
      expect(stderr.trim().split('\n').pop()).toMatch(
        /^error: upload interrupted: 0 of 1 resources were confirmed/,
      );
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
      home.cleanup();
    }
  });
});
