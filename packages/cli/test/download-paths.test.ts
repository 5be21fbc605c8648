import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRunOptions, homeEnv, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();
const fixture = uploadFixture('datamint-cli-download-');
const cli = (args: string[], options: CliRunOptions = {}) =>
  runCli(args, {
    ...options,
    env: {
      ...homeEnv(fixture.home()),
      DATAMINT_API_KEY: API_KEY,
      DATAMINT_API_URL: fixture.server().url,
      ...options.env,
    },
    cwd: fixture.work(),
  });

/** Uploads PNGs under these names and returns their resource ids. */
async function upload(...names: string[]): Promise<string[]> {
  const data = readFileSync(pngGray);
  const results = await fixture.server().api.uploadResources(names.map((name) => ({ name, data })));
  return results.map((r) => r.id!);
}

describe.skipIf(!hasData)('datamint download --out', () => {
  it.skipIf(!existsSync('/proc/self'))(
    'fails at once, naming the folder, where the file system refuses new folders (/proc)',
    async () => {
      const [id] = await upload('a.png');
      for (const out of ['/proc/x', '/proc/x/y/z']) {
        // Node's recursive mkdir loops forever on /proc: the child is killed rather than the test hanging.
        const result = await cli(['download', id!, '--out', out], { timeoutMs: 20_000 });
        expect(result.code, `${out} ${result.stderr}`).toBe(1);
        expect(result.stderr.trim()).toBe(
          'error: --out /proc/x: cannot create the folder /proc/x: /proc does not accept new folders (ENOENT)'.replaceAll(
            '--out /proc/x:',
            `--out ${out}:`,
          ),
        );
      }
    },
    60_000,
  );

  it('names the part of the path that is a file, not the whole path', async () => {
    const [id] = await upload('a.png');
    writeFileSync(join(fixture.work(), 'afile'), 'not a folder');
    for (const out of ['afile/sub', 'afile/sub/deeper']) {
      const result = await cli(['download', id!, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `error: --out ${out}: afile is a file, not a folder: give a folder to download into`,
      );
    }
    const whole = await cli(['download', id!, '--out', 'afile']);
    expect(whole.stderr.trim()).toBe(
      'error: --out afile is a file, not a folder: give a folder to download into',
    );
  });

  it('makes the missing folders of a new path', async () => {
    const [id] = await upload('a.png');
    const result = await cli(['download', id!, '--out', 'new/deep/er', '--json']);
    expect(result.code).toBe(0);
    expect(readdirSync(join(fixture.work(), 'new', 'deep', 'er'))).toEqual(['a.png']);
  });
});

describe.skipIf(!hasData)('datamint download results', () => {
  it('downloads an id given twice once', async () => {
    const [id] = await upload('a.png');
    const result = await cli(['download', id!, id!, '--out', 'twice', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).downloaded).toHaveLength(1);
    expect(readdirSync(join(fixture.work(), 'twice'))).toEqual(['a.png']);
  });

  it('fits the result table to COLUMNS, ids whole, stacked when too narrow', async () => {
    const long = `${'a-rather-long-scan-name-'.repeat(3)}.png`;
    const ids = await upload(long, 'b.png');
    const out = join('some', 'deeply', 'nested', 'download', 'folder');
    for (const columns of [100, 60, 44]) {
      const result = await cli(['download', ...ids, '--out', out], { env: { COLUMNS: String(columns) } });
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
      for (const id of ids) expect(result.stdout, `${columns}`).toContain(id);
      if (columns === 100)
        expect(lines[0]!.split(/\s+/)).toEqual(['STATUS', 'RESOURCE', 'FILE', 'SIZE', '/', 'REASON']);
      else expect(lines[0]).toMatch(/^ok {6}\S{36}$/);
      expect(result.stdout).toContain('.png');
      expect(result.stdout).toMatch(/\d+ B\b/);
    }
  });
});
