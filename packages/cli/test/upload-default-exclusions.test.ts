import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EXCLUDED_EXTENSIONS } from '@datamint/client';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli, sharedData } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, uploadFixture } from './helpers/server';

const fixture = uploadFixture('datamint-cli-exclusions-');

const env = () => ({
  ...homeEnv(fixture.home()),
  DATAMINT_API_KEY: API_KEY,
  DATAMINT_API_URL: fixture.server().url,
});

/** A folder as people have them: images, a volume with its JSON sidecar, and notes and scripts. */
function placeMixedFolder(name: string): string {
  const dir = join(fixture.work(), name);
  mkdirSync(dir);
  copyFileSync(pngGray, join(dir, 'scan.png'));
  copyFileSync(join(sharedData, 'nifti', 'standard.nii.gz'), join(dir, 'brain.nii.gz'));
  writeFileSync(join(dir, 'brain.json'), JSON.stringify({ Modality: 'MR' }));
  writeFileSync(join(dir, 'README.txt'), 'how these scans were taken');
  writeFileSync(join(dir, 'convert.py'), 'print("converted")\n');
  writeFileSync(join(dir, 'labels.CSV'), '1,liver\n2,spleen\n');
  writeFileSync(join(dir, 'notes.txt.gz'), 'not really gzip but named so');
  return name;
}

async function uploadedNames(channel: string): Promise<string[]> {
  const resources = await fixture.server().api.getResources({ channel }).toArray();
  return resources.map((r) => r.filename).sort();
}

describe.skipIf(!sharedDataAvailable())('datamint upload leaves out what the Python tool leaves out', () => {
  it('skips documents and scripts by default, keeps the sidecar as metadata, and says so', async () => {
    const folder = placeMixedFolder('mixed');
    const run = await runCli(['upload', folder, '--channel', 'defaults', '--yes', '--verbose'], {
      env: env(),
      cwd: fixture.work(),
    });
    expect(run.code, run.stderr).toBe(0);
    // notes.txt.gz is a gzip of a text by name: Python's last-suffix rule keeps it, and so do we.
    expect(await uploadedNames('defaults')).toEqual(['brain.nii.gz', 'notes.txt.gz', 'scan.png']);
    expect(run.stderr).toMatch(
      /3 files \(\.csv, \.py, \.txt\) left out by the default excluded extensions; --all-extensions uploads them/,
    );
    const brain = (await fixture.server().api.getResources({ channel: 'defaults' }).toArray()).find(
      (r) => r.filename === 'brain.nii.gz',
    );
    expect(brain?.modality).toBe('MR');
  });

  it('uploads every extension with --all-extensions, and any extension flag replaces the defaults', async () => {
    const folder = placeMixedFolder('everything');
    const all = await runCli(['upload', folder, '--channel', 'all', '--all-extensions', '--yes'], {
      env: env(),
      cwd: fixture.work(),
    });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).not.toContain('left out by the default');
    expect(await uploadedNames('all')).toEqual([
      'README.txt',
      'brain.nii.gz',
      'convert.py',
      'labels.CSV',
      'notes.txt.gz',
      'scan.png',
    ]);

    const exclude = await runCli(
      ['upload', folder, '--exclude-extensions', 'png', '--channel', 'exclude', '--yes'],
      { env: env(), cwd: fixture.work() },
    );
    expect(exclude.code, exclude.stderr).toBe(0);
    expect(await uploadedNames('exclude')).toEqual([
      'README.txt',
      'brain.nii.gz',
      'convert.py',
      'labels.CSV',
      'notes.txt.gz',
    ]);
  });

  it('says it of a single file left out, in the dry run too', async () => {
    const dir = join(fixture.work(), 'one-note');
    mkdirSync(dir);
    copyFileSync(pngGray, join(dir, 'scan.png'));
    writeFileSync(join(dir, 'NOTES.MD'), '# how these scans were taken');
    const dry = await runCli(['upload', 'one-note', '--dry-run'], { env: env(), cwd: fixture.work() });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(
      '1 file (.md) left out by the default excluded extensions; --all-extensions uploads it',
    );
    expect(dry.stdout).toContain('Skipped: 1 extension filter');
  });

  it('refuses --all-extensions together with an extension filter (exit 2)', async () => {
    for (const flag of ['--include-extensions', '--exclude-extensions']) {
      const run = await runCli(['upload', 'x', '--all-extensions', flag, 'png', '--yes'], {
        env: env(),
        cwd: fixture.work(),
      });
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(`error: --all-extensions takes every extension: drop ${flag}`);
    }
  });

  it('uses the Python list, without dots, in lower case', () => {
    expect(DEFAULT_EXCLUDED_EXTENSIONS).toContain('txt');
    expect(DEFAULT_EXCLUDED_EXTENSIONS).toContain('json');
    expect(DEFAULT_EXCLUDED_EXTENSIONS).toHaveLength(31);
    for (const ext of DEFAULT_EXCLUDED_EXTENSIONS) expect(ext).toMatch(/^[a-z]+$/);
  });
});
