import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeEnv, makeHome, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, startTestServer } from './helpers/server';

const FILES = 30;

describe.skipIf(!sharedDataAvailable())('datamint upload when the server goes away mid-upload', () => {
  it('stops after two resources in a row could not reach it, and says to --resume', async () => {
    const server = await startTestServer();
    const home = makeHome();
    const work = mkdtempSync(join(tmpdir(), 'datamint-cli-lost-'));
    try {
      mkdirSync(join(work, 'd'));
      for (let i = 0; i < FILES; i++)
        copyFileSync(pngGray, join(work, 'd', `img-${String(i).padStart(2, '0')}.png`));
      const env = { ...homeEnv(home.home), DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: server.url };
      // One upload at a time, so the server goes away between two of them.
      const run = runCli(['upload', 'd', '--yes', '--concurrency', '1'], { cwd: work, env });
      let finished = false;
      void run.then(() => {
        finished = true;
      });
      let landed = 0;
      while (landed < 3 && !finished) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        landed = (await server.api.getResources({ returnIdsOnly: true }).toArray()).length;
      }
      await server.close();
      const result = await run;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('The server stopped answering: stopping the uploads in flight');
      const last = result.stderr.trim().split('\n').pop()!;
      expect(last).toMatch(
        /^error: lost the connection to the server \(.+\): \d+ of 30 resources were confirmed; run the same command with --resume once it answers again/,
      );
      // It stopped there: the files after the two unreachable ones were never tried.
      const confirmed = Number(/: (\d+) of 30 resources were confirmed/.exec(last)![1]);
      expect(confirmed).toBeGreaterThanOrEqual(3);
      expect(confirmed).toBeLessThan(FILES - 2);
      expect(result.stdout).not.toMatch(/FAILED/);
    } finally {
      home.cleanup();
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
