import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, uploadFixture } from './helpers/server';

const fixture = uploadFixture('datamint-cli-json-skipped-');

const env = () => ({
  ...homeEnv(fixture.home()),
  DATAMINT_API_KEY: API_KEY,
  DATAMINT_API_URL: fixture.server().url,
});

describe.skipIf(!sharedDataAvailable())('datamint upload --json lists the files it left out', () => {
  it('gives the real run the skipped list of the dry run', async () => {
    // With --json the note about the default excluded extensions is not printed: the JSON says it.
    const dir = join(fixture.work(), 'with-notes');
    mkdirSync(dir);
    copyFileSync(pngGray, join(dir, 'scan.png'));
    writeFileSync(join(dir, 'README.txt'), 'how these scans were taken');
    writeFileSync(join(dir, 'report.pdf'), '%PDF-1.4');
    const expected = [
      { path: join('with-notes', 'README.txt'), reason: 'extension filter' },
      { path: join('with-notes', 'report.pdf'), reason: 'extension filter' },
    ];
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);

    const dry = await runCli(['upload', 'with-notes', '--dry-run', '--json'], {
      env: env(),
      cwd: fixture.work(),
    });
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).skipped.sort(byPath)).toEqual(expected);

    const run = await runCli(['upload', 'with-notes', '--channel', 'json-skipped', '--yes', '--json'], {
      env: env(),
      cwd: fixture.work(),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('left out');
    const out = JSON.parse(run.stdout);
    expect(out.ok).toBe(true);
    expect(out.results.map((r: { input: string }) => r.input)).toEqual([join('with-notes', 'scan.png')]);
    expect(out.skipped.sort(byPath)).toEqual(expected);
  });
});
