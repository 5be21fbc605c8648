import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CliStreams } from '../src/io';
import { run } from '../src/program';
import { DEFAULT_COLUMNS, MIN_COLUMNS, Terminal, usableWidth } from '../src/ui/terminal';
import { displayWidth } from '../src/ui/width';
import { homeEnv, ptyAvailable, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, type TestServer, uploadFixture } from './helpers/server';

describe('usableWidth', () => {
  it.each([
    // reported widths, COLUMNS, expected
    [[120], undefined, 120],
    [[120], '60', 120],
    [[0], undefined, DEFAULT_COLUMNS],
    [[0], '60', 60],
    [[undefined], '60', 60],
    [[Number.NaN], '60', 60],
    [[-3], undefined, DEFAULT_COLUMNS],
    [[80.5], ' 70 ', 70],
    [[0, 90], undefined, 90],
    [[undefined, undefined], '', DEFAULT_COLUMNS],
    [[0], '0', DEFAULT_COLUMNS],
    [[0], 'wide', DEFAULT_COLUMNS],
    [[0], '60px', DEFAULT_COLUMNS],
    [[3], undefined, MIN_COLUMNS],
    [[0], '5', MIN_COLUMNS],
  ] as const)('reported %j with COLUMNS %j → %i', (reported, env, expected) => {
    expect(usableWidth(reported, env)).toBe(expected);
  });
});

/** A terminal-like output that reports `columns` (0: a pseudo-terminal never given a size). */
class TerminalOutput extends Writable {
  isTTY = true;
  text = '';
  constructor(readonly columns: number) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

function streams(columns: number, env: Record<string, string>, answers = '') {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  stdin.write(answers);
  const stdout = new TerminalOutput(columns);
  const stderr = new TerminalOutput(columns);
  const all: CliStreams = { stdin, stdout, stderr, env, cwd: work };
  return { all, stdout, stderr };
}

describe('a terminal that reports 0 columns', () => {
  it.each([
    [{}, DEFAULT_COLUMNS],
    [{ COLUMNS: '64' }, 64],
  ])('fits tables and bars to COLUMNS, else 80 (env %j)', (env, width) => {
    const { all } = streams(0, env);
    const term = new Terminal(all, { json: false, verbose: false, noColor: true });
    expect(term.tableWidth).toBe(width);
    expect(term.columns).toBe(width);
  });
});

const hasData = sharedDataAvailable();
const fixture = uploadFixture('datamint-cli-width-');
let server: TestServer;
let home: string;
let work: string;
beforeEach(() => {
  server = fixture.server();
  home = fixture.home();
  work = fixture.work();
  mkdirSync(join(work, 'd'));
  if (hasData) copyFileSync(pngGray, join(work, 'd', 'a.png'));
});

const env = (): Record<string, string> => ({
  ...homeEnv(home),
  DATAMINT_API_KEY: API_KEY,
  DATAMINT_API_URL: server.url,
  NO_COLOR: '1',
});

/** The lines a terminal shows: each redraw (`\r` + erase line) replaces the line before it. */
function screenLines(text: string): string[] {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.split('\r\u001b[2K').at(-1)!);
}

describe.skipIf(!hasData)('upload on a terminal that reports 0 columns', () => {
  it('prints the table, the counts and the progress bar (in process)', async () => {
    const t = streams(0, env(), 'y\n');
    expect(await run(['upload', 'd', '--verbose'], t.all)).toBe(0);
    const out = t.stdout.text.split('\n');
    expect(out.find((l) => l.startsWith('1 file ('))).toBeDefined();
    expect(out.find((l) => /^ok\s+[0-9a-f-]{36}\s+d\/a\.png/.test(l))).toBeDefined();
    expect(out).toContain('1 input: 1 uploaded, 0 failed');
    const bars = t.stderr.text.split('\r\u001b[2K').slice(1);
    expect(bars.at(-1)).toMatch(/^\[#+\] 100% 1\/1/);
    for (const bar of bars) expect(displayWidth(bar.replace(/\n$/, ''))).toBeLessThan(DEFAULT_COLUMNS);
  });

  it.skipIf(!ptyAvailable())(
    'prints the table, the counts and the progress bar (binary, sizeless pty)',
    async () => {
      const result = await runCli(['upload', 'd', '--yes', '--verbose'], {
        env: env(),
        cwd: work,
        pty: { columns: 0, rows: 0 },
        timeoutMs: 60_000,
      });
      expect(result.code, result.stdout).toBe(0);
      const lines = screenLines(result.stdout);
      expect(lines.find((l) => l.startsWith('1 file ('))).toBeDefined();
      expect(lines.find((l) => /^ok\s+[0-9a-f-]{36}\s+d\/a\.png/.test(l))).toBeDefined();
      expect(lines).toContain('1 input: 1 uploaded, 0 failed');
      expect(lines.find((l) => /^\[#+\] 100% 1\/1/.test(l))).toBeDefined();
      // `--verbose`'s debug lines are free text, never fitted.
      for (const line of lines.filter((l) => !l.startsWith('debug:'))) {
        expect(displayWidth(line), line).toBeLessThanOrEqual(DEFAULT_COLUMNS);
      }

      const narrower = await runCli(['upload', 'd', '--yes', '--dry-run'], {
        env: { ...env(), COLUMNS: '50' },
        cwd: work,
        pty: { columns: 0, rows: 0 },
        timeoutMs: 60_000,
      });
      expect(narrower.code, narrower.stdout).toBe(0);
      expect(screenLines(narrower.stdout).find((l) => l.startsWith('1 file ('))).toBeDefined();
    },
  );
});
