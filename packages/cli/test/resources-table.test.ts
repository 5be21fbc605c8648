import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();
const fixture = uploadFixture('datamint-cli-list-');
const list = (columns: number, command = 'resources') =>
  runCli([command, 'list'], {
    env: {
      ...homeEnv(fixture.home()),
      DATAMINT_API_KEY: API_KEY,
      DATAMINT_API_URL: fixture.server().url,
      COLUMNS: String(columns),
    },
    cwd: fixture.work(),
  });

const LONG = 'a-rather-long-knee-mri-scan-name-from-the-pacs-export-0001.png';

/** A long-named PNG, a short one and a 5 kB file; none has a modality. */
async function uploadThree(): Promise<Record<string, string>> {
  const results = await fixture.server().api.uploadResources([
    { name: LONG, data: readFileSync(pngGray) },
    { name: 'b.png', data: readFileSync(pngGray) },
    { name: 'blob.bin', data: new Uint8Array(5000).fill(7) },
  ]);
  return { long: results[0]!.id!, short: results[1]!.id!, blob: results[2]!.id! };
}

describe.skipIf(!hasData)('datamint resources list table', () => {
  it('on a narrow terminal stacks each resource: the id whole, then its name, then the rest', async () => {
    const ids = await uploadThree();
    const result = await list(40);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(40);
    const at = lines.indexOf(ids.short!);
    expect(at, result.stdout).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe('    b.png');
    expect(lines[at + 2]).toMatch(/^ {4}inbox {2}138 B\b/);
    expect(lines).toContain(ids.long);
    expect(lines[lines.indexOf(ids.long!) + 1]).toMatch(/^ {4}a-rather-.*….*-0001\.png$/);
  });

  it('leaves out empty columns before cutting names, gives the name a fair share and one size style', async () => {
    const ids = await uploadThree();
    const result = await list(80);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    const headers = lines[0]!.trim().split(/\s+/);
    expect(headers).not.toContain('MODALITY');
    expect(headers.slice(0, 2)).toEqual(['ID', 'FILENAME']);
    const longRow = lines.find((l) => l.startsWith(ids.long!))!;
    const shownName = longRow.slice(38).split(/\s{2,}/)[0]!;
    expect(shownName.length, longRow).toBeGreaterThanOrEqual(20);
    expect(shownName).toMatch(/-0001\.png$/);
    expect(result.stdout).not.toContain('Bytes');
    expect(lines.find((l) => l.startsWith(ids.blob!))).toMatch(/ 5\.0 kB\b/);
    expect(lines.find((l) => l.startsWith(ids.short!))).toMatch(/ 138 B\b/);
    // Sizes are right-aligned: every row with SIZE last ends in the same column.
    if (headers.at(-1) === 'SIZE') expect(new Set(lines.slice(2).map((l) => l.length)).size).toBe(1);
  });

  it('keeps every column, empty ones included, when the terminal is wide enough', async () => {
    await uploadThree();
    const result = await list(250);
    expect(result.stdout.split('\n')[0]!.trim().split(/\s+/).join(' ')).toBe(
      'ID FILENAME STATUS MIMETYPE MODALITY SIZE CHANNEL CREATED',
    );
    expect(result.stdout).toContain(LONG);
  });

  it('fits projects list the same way', async () => {
    await fixture.server().api.createProject('Knee MRI pilot study', 'a description '.repeat(5), []);
    for (const columns of [120, 80, 50]) {
      const result = await list(columns, 'projects');
      expect(result.code).toBe(0);
      for (const line of result.stdout.trimEnd().split('\n'))
        expect(line.length, line).toBeLessThanOrEqual(columns);
      expect(result.stdout).toContain('Knee MRI pilot study');
    }
  });
});
