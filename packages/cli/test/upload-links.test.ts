import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { homeEnv, makeHome, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';

// `datamint upload` walks folder links as the Python tool does; the walk itself is tested in the
// client (upload-walk-links.test.ts): this is what the user sees of it.

const home = makeHome();
const work = mkdtempSync(join(tmpdir(), 'datamint-cli-links-'));
afterAll(() => {
  home.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!sharedDataAvailable())('datamint upload and links', () => {
  it('walks a linked folder, skips a link back into the walk once, and fails a dangling link', async () => {
    mkdirSync(join(work, 'elsewhere'));
    copyFileSync(pngGray, join(work, 'elsewhere', 'b.png'));
    mkdirSync(join(work, 'scans', 'a'), { recursive: true });
    copyFileSync(pngGray, join(work, 'scans', 'a', 'x.png'));
    symlinkSync(join(work, 'elsewhere'), join(work, 'scans', 'linked'));
    symlinkSync('..', join(work, 'scans', 'a', 'loop'));
    symlinkSync('gone.png', join(work, 'scans', 'link.png'));
    const run = await runCli(['upload', 'scans', '-r', '--dry-run'], { env: homeEnv(home.home), cwd: work });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^2 files \(.*\) → 2 resources; 1 more input will fail/);
    expect(run.stdout).toContain(
      'scans/link.png: cannot be read: it is a link to gone.png, which does not exist',
    );
    expect(run.stdout).toContain('Skipped: 1 symlink loop\n');
  });
});
