import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../src/ui/width';
import { homeEnv, runCli } from './helpers/cli';
import { pngColor, pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, type TestServer, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();
const fixture = uploadFixture('datamint-cli-output-');
let server: TestServer;
let home: string;
let work: string;
beforeEach(() => {
  server = fixture.server();
  home = fixture.home();
  work = fixture.work();
});

const cli = (args: string[], columns: number) =>
  runCli(args, {
    env: {
      ...homeEnv(home),
      DATAMINT_API_KEY: API_KEY,
      DATAMINT_API_URL: server.url,
      COLUMNS: String(columns),
    },
    cwd: work,
  });

function place(rel: string, content: Uint8Array | string): void {
  const path = join(work, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

const notDicom = 'this is not a DICOM file, just text pretending to be one';
/** Two images (one with a long CJK and emoji name), three broken DICOMs (two named in CJK/emoji), a system file. */
function placeMix(): void {
  place('mix/good.png', readFileSync(pngGray));
  place('mix/胸部スキャン-🫁-with-a-rather-long-name-that-needs-shortening-0001.png', readFileSync(pngColor));
  place('mix/bad.dcm', notDicom);
  place('mix/壊れた.dcm', notDicom);
  place('mix/🫁-肺.dcm', notDicom);
  place('mix/.DS_Store', 'x');
}

/** The display column where `needle` starts on `line`. */
const columnOf = (line: string, needle: string): number => displayWidth(line.slice(0, line.indexOf(needle)));

describe.skipIf(!hasData)('datamint upload output (the binary against the local server)', () => {
  it('groups the result by outcome with counts that agree, one row per failure, fitted to COLUMNS', async () => {
    placeMix();
    const result = await cli(['upload', 'mix', '--yes'], 60);
    expect(result.code).toBe(1);
    const out = result.stdout.trimEnd().split('\n');
    // Planned = summary = final line: 5 inputs, of which the 3 broken files fail.
    expect(result.stderr).toContain('Inputs: 5 (2 resources, 3 that will fail)');
    expect(out).toContain('5 inputs: 2 uploaded, 3 failed; 1 skipped (1 system file)');
    expect(result.stderr.trim().split('\n').pop()).toBe(
      'error: 3 of 5 input(s) failed to upload (listed above)',
    );
    const failed = out.filter((l) => l.startsWith('FAILED'));
    expect(failed).toHaveLength(3);
    expect(out.filter((l) => /^(ok|skipped)\b/.test(l))).toEqual([]);
    // Off a terminal no bar is drawn.
    expect(result.stderr).not.toContain('\r');
    for (const line of [...out, ...result.stderr.split('\n').slice(0, -2)]) {
      expect(displayWidth(line), line).toBeLessThanOrEqual(60);
    }
    // CJK and emoji names align with ASCII ones: the reasons start in one display column.
    const reasonColumns = new Set(
      [...failed, out[0]!].map((l) => columnOf(l, l.startsWith('STATUS') ? 'DETAIL' : 'not a')),
    );
    expect(reasonColumns.size).toBe(1);
    expect((await server.api.getResources({}).toArray()).map((r) => r.filename).sort()).toEqual([
      'good.png',
      '胸部スキャン-🫁-with-a-rather-long-name-that-needs-shortening-0001.png',
    ]);
  });

  it('stacks the rows at 50 columns so resource ids stay whole, and wraps the counts at their clauses', async () => {
    placeMix();
    const result = await cli(['upload', 'mix', '--yes', '--verbose'], 50);
    expect(result.code).toBe(1);
    const out = result.stdout.trimEnd().split('\n');
    for (const line of out) expect(displayWidth(line), line).toBeLessThanOrEqual(50);
    const ids = (await server.api.getResources({}).toArray()).map((r) => r.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(out).toContain(`ok      ${id}`);
    expect(out.filter((l) => l.startsWith('FAILED  -'))).toHaveLength(3);
    expect(out.slice(-3)).toEqual([
      '5 inputs: 2 uploaded, 3 failed;',
      '1 skipped (1 system file)',
      '2 resources created from 2 files.',
    ]);
  });

  it.each([100, 130])(
    'lists every input and skipped file with --verbose, within %i columns',
    async (columns) => {
      placeMix();
      const result = await cli(['upload', 'mix', '--yes', '--verbose'], columns);
      expect(result.code).toBe(1);
      const out = result.stdout.trimEnd().split('\n');
      const lines = out.slice(2, -2);
      // A reason too long for its column goes on below it, starting in its column, never cut.
      const rows = lines.filter((l) => !l.startsWith(' '));
      const detailColumn = columnOf(out[0]!, 'DETAIL');
      for (const more of lines.filter((l) => l.startsWith(' '))) {
        expect(displayWidth(more) - displayWidth(more.trimStart()), more).toBe(detailColumn);
      }
      expect(rows.map((l) => l.split(/\s+/)[0]).sort()).toEqual(
        ['FAILED', 'ok', 'skipped', 'ok', 'FAILED', 'FAILED'].sort(),
      );
      expect(out.at(-2)).toBe('5 inputs: 2 uploaded, 3 failed; 1 skipped (1 system file)');
      for (const line of out) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
      const long = rows.find((l) => l.includes('胸部'))!;
      expect(long).toMatch(/^ok\s+[0-9a-f-]{36}\s+mix\/胸部/);
      // At 130 columns the long name fits whole; at 100 it loses its middle, never its end.
      if (columns === 130) expect(long).toContain('shortening-0001.png');
      else expect(long).toMatch(/mix\/胸部.*….*-0001\.png/);
      const inputColumns = new Set(rows.map((l) => columnOf(l, 'mix/')));
      expect(inputColumns.size).toBe(1);
    },
  );
});
