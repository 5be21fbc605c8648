import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CliStreams } from '../src/io';
import { run } from '../src/program';
import { homeEnv } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, type TestServer, uploadFixture } from './helpers/server';

/** A terminal-like output: what a user would see, ANSI codes included. */
class TerminalOutput extends Writable {
  isTTY = true;
  columns = 100;
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

function terminal(env: Record<string, string>, answers: string | null) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  if (answers !== null) stdin.write(answers);
  else stdin.end();
  const stdout = new TerminalOutput();
  const stderr = new TerminalOutput();
  const streams: CliStreams = { stdin, stdout, stderr, env, cwd: work };
  return { streams, stdout, stderr };
}

const hasData = sharedDataAvailable();
const fixture = uploadFixture('datamint-cli-tty-');
let server: TestServer;
let home: { home: string };
let work: string;
beforeEach(() => {
  server = fixture.server();
  home = { home: fixture.home() };
  work = fixture.work();
  mkdirSync(join(work, 'd'));
  if (hasData) copyFileSync(pngGray, join(work, 'd', 'a.png'));
});

const env = (): Record<string, string> => ({
  ...homeEnv(home.home),
  DATAMINT_API_KEY: API_KEY,
  DATAMINT_API_URL: server.url,
});

describe.skipIf(!hasData)('upload on a terminal (in process, terminal-like streams)', () => {
  it('shows the summary, asks, and uploads nothing when the answer is no', async () => {
    const t = terminal(env(), 'n\n');
    const code = await run(['upload', 'd'], t.streams);
    expect(code).toBe(1);
    expect(t.stdout.text).toContain('1 file (');
    expect(t.stderr.text).toContain('Do you want to proceed with the upload? (y/n): ');
    expect(t.stderr.text).toContain('upload cancelled: nothing was uploaded');
    expect(await server.api.getResources({ returnIdsOnly: true }).toArray()).toHaveLength(0);
  });

  it('treats end of input at the confirmation as no', async () => {
    const t = terminal(env(), null);
    expect(await run(['upload', 'd'], t.streams)).toBe(1);
    expect(await server.api.getResources({ returnIdsOnly: true }).toArray()).toHaveLength(0);
  });

  it('uploads on yes and redraws one progress line on stderr, ending at 100%', async () => {
    const t = terminal(env(), 'y\n');
    const code = await run(['upload', 'd'], t.streams);
    expect(code).toBe(0);
    const drawn = t.stderr.text.split('\r\u001b[2K').slice(1);
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.at(-1)).toMatch(/^\[#+\] 100% 1\/1 · \d+(\.\d)? (Bytes|kB)\/\d+(\.\d)? (Bytes|kB)/);
    for (const line of drawn) expect(line.replace(/\n$/, '').length).toBeLessThan(100);
    expect(t.stdout.text).toContain('1 input: 1 uploaded, 0 failed');
    expect(t.stdout.text).not.toMatch(/^ok /m);
    const ids = await server.api.getResources({ returnIdsOnly: true }).toArray();
    expect(ids).toHaveLength(1);
    const d = terminal(env(), '');
    expect(await run(['download', ids[0]!, '--out', 'dl'], d.streams)).toBe(0);
    expect(d.stderr.text).toMatch(/\[#+\] 100% 1\/1/);
    expect(d.stdout.text).toMatch(/ok\s+.*dl\/a\.png/);
  });

  it('draws no bars and no prompt with --json, and no colour with NO_COLOR', async () => {
    const t = terminal(env(), '');
    expect(await run(['upload', 'd', '--json', '--yes'], t.streams)).toBe(0);
    expect(t.stderr.text).not.toContain('[#');
    expect(t.stderr.text).not.toContain('\r');
    expect(JSON.parse(t.stdout.text).totals.resources).toBe(1);

    const coloured = terminal(env(), '');
    await run(['download', '--project', 'nope'], coloured.streams);
    expect(coloured.stderr.text).toContain('\u001b[31merror:\u001b[0m');
    const plain = terminal({ ...env(), NO_COLOR: '1' }, '');
    await run(['download', '--project', 'nope'], plain.streams);
    expect(plain.stderr.text).toMatch(/^error: /);
    expect(plain.stderr.text).not.toContain('\u001b[');
    const json = terminal(env(), '');
    expect(await run(['download', '--project', 'nope', '--json'], json.streams)).toBe(1);
    expect(json.stderr.text).toMatch(/^error: /);
    expect(json.stderr.text).not.toContain('\u001b[');
  });
});

describe.skipIf(!hasData)('API key prompt on a terminal', () => {
  it('asks for a missing key, saves it on request and uploads with it', async () => {
    const { DATAMINT_API_KEY: _unset, ...withoutKey } = env();
    const t = terminal(withoutKey, `${API_KEY}\ny\ny\n`);
    const code = await run(['upload', 'd'], t.streams);
    expect(code).toBe(0);
    expect(t.stderr.text).toContain('API key (leave empty to abort): ');
    expect(t.stderr.text).not.toContain(API_KEY);
    expect(t.stdout.text).not.toContain(API_KEY);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(home.home, 'config', 'datamintapi', 'datamintapi.yaml'), 'utf8')).toBe(
      `api_key: ${API_KEY}\n`,
    );
    expect(await server.api.getResources({ returnIdsOnly: true }).toArray()).toHaveLength(1);
  });

  it('aborts with exit code 1 on an empty answer', async () => {
    const { DATAMINT_API_KEY: _unset, ...withoutKey } = env();
    const t = terminal({ ...withoutKey, XDG_CONFIG_HOME: join(work, 'empty-config') }, '\n');
    expect(await run(['upload', 'd'], t.streams)).toBe(1);
    expect(t.stderr.text).toContain('API key not provided');
  });
});
