import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli, sharedData } from './helpers/cli';
import { pngColor, pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();
// Root reads every file whatever its mode, so the CLI then runs as `nobody`, for whom chmod 000 denies.
const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: 65534, gid: 65534 } : undefined;

const fixture = uploadFixture('datamint-cli-checks-');

const env = (extra: Record<string, string> = {}) => ({
  ...homeEnv(fixture.home()),
  DATAMINT_API_KEY: API_KEY,
  DATAMINT_API_URL: fixture.server().url,
  ...extra,
});

async function resourceCount(): Promise<number> {
  return (await fixture.server().api.getResources({ returnIdsOnly: true }).toArray()).length;
}

describe.skipIf(!hasData)('datamint upload fails early and per file', () => {
  it('checks the key once before reading any file: one line, exit 1; --no-check skips the check', async () => {
    const work = fixture.work();
    mkdirSync(join(work, 'd'));
    for (const n of ['a', 'b', 'c']) copyFileSync(pngGray, join(work, 'd', `${n}.png`));
    const wrong = await runCli(['upload', 'd', '--yes'], {
      env: env({ DATAMINT_API_KEY: 'wrong-key-0123456789' }),
      cwd: work,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    const lines = wrong.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: cannot use the Datamint API at http:\/\/127\.0\.0\.1:\d+.*--no-check/);
    expect(wrong.stderr).not.toContain('wrong-key-0123456789');

    const unchecked = await runCli(['upload', 'd', '--yes', '--no-check', '--json'], {
      env: env({ DATAMINT_API_KEY: 'wrong-key-0123456789' }),
      cwd: work,
    });
    expect(unchecked.code).toBe(1);
    const report = JSON.parse(unchecked.stdout);
    expect(report.totals).toEqual({ inputs: 3, files: 3, resources: 0, failed: 3 });
    expect(unchecked.stderr).not.toContain('table');

    const down = await runCli(['upload', 'd', '--yes'], {
      env: env({ DATAMINT_API_URL: 'http://127.0.0.1:9' }),
      cwd: work,
    });
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/cannot use the Datamint API at http:\/\/127\.0\.0\.1:9/);
    expect(await resourceCount()).toBe(0);
  });

  it('reports unreadable files and folders as per-file problems, in the dry run and the upload', async () => {
    const work = fixture.work();
    // The tree must be enterable by the unprivileged user; only the two entries below are closed.
    chmodSync(work, 0o755);
    const runHome = mkdtempSync(join(tmpdir(), 'datamint-cli-home-nobody-'));
    if (user) chownSync(runHome, user.uid, user.gid);
    const tree = join(work, 'scans');
    mkdirSync(join(tree, 'locked'), { recursive: true });
    copyFileSync(pngGray, join(tree, 'a.png'));
    copyFileSync(pngColor, join(tree, 'secret.png'));
    copyFileSync(pngGray, join(tree, 'locked', 'b.png'));
    chmodSync(join(tree, 'secret.png'), 0o000);
    chmodSync(join(tree, 'locked'), 0o000);
    const run = (args: string[]) =>
      runCli(args, {
        env: { ...env(), ...homeEnv(runHome) },
        cwd: work,
        ...(user ? { user } : {}),
      });
    try {
      // The dry run ends as the upload would: exit 1, since two inputs would fail.
      const dry = await run(['upload', 'scans', '-r', '--dry-run', '--json']);
      expect(dry.stderr).toBe('error: 2 inputs would fail to upload\n');
      expect(dry.code).toBe(1);
      const plan = JSON.parse(dry.stdout);
      expect(plan.resources.map((r: { files: string[] }) => r.files)).toEqual([['scans/a.png']]);
      expect(plan.problems).toEqual([
        expect.objectContaining({ path: 'scans/locked', code: 'EACCES' }),
        expect.objectContaining({ path: 'scans/secret.png', code: 'EACCES' }),
      ]);
      const text = await run(['upload', 'scans', '-r', '--dry-run']);
      expect(text.code).toBe(1);
      expect(text.stderr).toBe('error: 2 inputs would fail to upload (listed above)\n');
      expect(text.stdout).toContain('Files that cannot be uploaded and will fail: 2');
      expect(text.stdout).toMatch(/scans\/secret\.png: cannot be read: EACCES/);

      const up = await run(['upload', 'scans', '-r', '--yes', '--json']);
      expect(up.code).toBe(1);
      const report = JSON.parse(up.stdout);
      // As the text counts: the folder and the file that cannot be read are failed inputs, not files.
      expect(report.totals).toEqual({ inputs: 3, files: 1, resources: 1, failed: 2 });
      expect(plan.totals.files).toBe(1);
      expect(text.stdout.split('\n')[0]).toMatch(
        /^1 file \(\d+ Bytes\) → 1 resource; 2 more inputs will fail/,
      );
      expect(report.results.map((r: { input: string; ok: boolean }) => [r.input, r.ok])).toEqual([
        ['scans/a.png', true],
        ['scans/locked', false],
        ['scans/secret.png', false],
      ]);
      expect(report.results[2].error).toMatch(/EACCES/);
      expect(await resourceCount()).toBe(1);

      const upText = await run(['upload', 'scans', '-r', '--yes']);
      expect(upText.code).toBe(1);
      const lines = upText.stdout.trimEnd().split('\n');
      expect(lines.slice(-2)).toEqual(['3 inputs: 1 uploaded, 2 failed', '1 resource created from 1 file.']);
    } finally {
      chmodSync(join(tree, 'secret.png'), 0o644);
      chmodSync(join(tree, 'locked'), 0o755);
      rmSync(runHome, { recursive: true, force: true });
    }
  });

  it('ends a dry run with the exit code the upload would have, checking --publish-to when it can', async () => {
    const work = fixture.work();
    mkdirSync(join(work, 'd'));
    copyFileSync(pngGray, join(work, 'd', 'a.png'));
    const run = (args: string[], extra: Record<string, string> = {}) =>
      runCli(args, { env: env(extra), cwd: work });

    const missing = await run(['upload', 'd', 'nope.png', '--dry-run']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('nope.png: cannot be read: ENOENT');
    expect(missing.stdout.split('\n')[0]).toMatch(
      /^1 file \(138 Bytes\) → 1 resource; 1 more input will fail \(see below\)$/,
    );
    expect(missing.stdout).toContain('Inputs: 2 (1 resource, 1 that will fail)');
    expect(missing.stdout).toContain('Dry run: nothing was uploaded.');
    expect(missing.stderr).toBe('error: 1 input would fail to upload (listed above)\n');

    const unknown = await run(['upload', 'd', '--publish-to', 'No Such Project', '--dry-run']);
    expect(unknown.code).toBe(1);
    // The plan is shown all the same.
    expect(unknown.stdout).toContain('Dry run: nothing was uploaded.');
    expect(unknown.stderr).toBe(
      'error: no project is named "No Such Project" or has it as id (`datamint projects list` shows them)\n',
    );
    const project = await fixture.server().api.createProject('Knee', 'knee scans', []);
    for (const name of ['Knee', project.id]) {
      const known = await run(['upload', 'd', '--project', name, '--dry-run']);
      expect(known.code).toBe(0);
      expect(known.stderr).toBe('');
    }
    // No key: the dry run still works, and says what it could not check.
    const keyless = await run(['upload', 'd', '--publish-to', 'No Such Project', '--dry-run'], {
      DATAMINT_API_KEY: '',
    });
    expect(keyless.code).toBe(0);
    expect(keyless.stderr).toBe(
      'warning: --publish-to "No Such Project" was not checked: no API key is configured\n',
    );
    const down = await run(['upload', 'd', '--publish-to', 'Knee', '--dry-run'], {
      DATAMINT_API_URL: 'http://127.0.0.1:9',
    });
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/^warning: --publish-to "Knee" was not checked: .*ECONNREFUSED/);
    expect(await resourceCount()).toBe(0);
  });

  it("accepts the Python tool's --auto-detect-json (the default) and still honours --no-auto-detect-json", async () => {
    const work = fixture.work();
    mkdirSync(join(work, 'n'));
    copyFileSync(join(sharedData, 'nifti', 'anatomical.nii'), join(work, 'n', 'vol.nii'));
    writeFileSync(join(work, 'n', 'vol.json'), '{"SeriesDescription":"t1"}');
    const plan = async (flag: string[]) => {
      const out = await runCli(['upload', 'n', ...flag, '--dry-run', '--json'], { env: env(), cwd: work });
      expect(out.code).toBe(0);
      return JSON.parse(out.stdout).totals.withMetadata;
    };
    expect(await plan([])).toBe(1);
    expect(await plan(['--auto-detect-json'])).toBe(1);
    expect(await plan(['--no-auto-detect-json'])).toBe(0);
  });

  it('fails files that are not what their names say, and leaves a DICOMDIR out, through the dry run and the upload', async () => {
    const work = fixture.work();
    mkdirSync(join(work, 'export'));
    copyFileSync(pngGray, join(work, 'export', 'good.png'));
    copyFileSync(join(sharedData, 'nifti', 'broken', 'not-nifti.nii'), join(work, 'export', 'volume.nii'));
    copyFileSync(join(sharedData, 'png', 'broken', 'xs1n0g01.png'), join(work, 'export', 'broken.png'));
    copyFileSync(
      join(sharedData, 'dicom', 'series', 'dcm_qa_ct_philips_S2010', 'DIRFILE'),
      join(work, 'export', 'DIRFILE'),
    );
    const dry = await runCli(['upload', 'export', '--dry-run'], { env: env({ COLUMNS: '200' }), cwd: work });
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(
      'export/broken.png: named like a PNG file, but does not start like one (first bytes: 09 50 4e 47 0d 0a 1a 0a)',
    );
    expect(dry.stdout).toMatch(/export\/volume\.nii: named like a NIfTI file, but does not start like one/);
    expect(dry.stdout).toMatch(/Skipped: 1 dicom directory/);
    const up = await runCli(['upload', 'export', '--yes', '--json'], { env: env(), cwd: work });
    expect(up.code).toBe(1);
    const report = JSON.parse(up.stdout);
    // As the summary counts them: the two files the plan refused are failed inputs, not files to send.
    expect(report.totals).toEqual({ inputs: 3, files: 1, resources: 1, failed: 2 });
    const stored = await fixture.server().api.getResources({}).toArray();
    expect(stored.map((r) => r.filename)).toEqual(['good.png']);
  });
});
