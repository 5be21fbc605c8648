import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import pkg from '../package.json';
import { type CliResult, homeEnv, makeHome, runCli } from './helpers/cli';

const KEY = 'sk-test-0123456789abcdef';

let home: ReturnType<typeof makeHome>;
let env: Record<string, string>;
beforeEach(() => {
  home = makeHome();
  env = homeEnv(home.home);
});
afterEach(() => home.cleanup());

const cli = (args: string[], input?: string): Promise<CliResult> => runCli(args, { env, input });

function expectNoKey(result: CliResult): void {
  expect(result.stdout).not.toContain(KEY);
  expect(result.stderr).not.toContain(KEY);
}

describe('datamint basics', () => {
  it('prints its version and help', async () => {
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await cli(['config', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--api-key-stdin');
  });

  it('reports usage mistakes as one line with exit code 2', async () => {
    const unknown = await cli(['config', 'show', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const command = await cli(['uplaod']);
    expect(command.code).toBe(2);
    expect(command.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('datamint config', () => {
  it('writes the Python-format YAML file and shows the key masked', async () => {
    const set = await cli(['config', '--api-key', KEY, '--url', 'http://127.0.0.1:3000/']);
    expect(set.code).toBe(0);
    expectNoKey(set);
    const text = readFileSync(home.configFile, 'utf8');
    // PyYAML block style, keys sorted: exactly what datamint-config writes.
    expect(text).toBe(`api_key: ${KEY}\ndefault_api_url: http://127.0.0.1:3000\n`);

    const show = await cli(['config', 'show', '--json']);
    expect(show.code).toBe(0);
    expectNoKey(show);
    const info = JSON.parse(show.stdout);
    expect(info).toMatchObject({
      configFile: home.configFile,
      apiKeySource: 'config-file',
      apiUrl: 'http://127.0.0.1:3000',
      apiUrlSource: 'config-file',
    });
    expect(info.apiKey).toMatch(/^sk-t\*+ef$/);
  });

  it('reads a file written by the Python tool and lets the environment win', async () => {
    mkdirSync(dirname(home.configFile), { recursive: true });
    writeFileSync(home.configFile, 'api_key: py-key-abcdefgh\ndefault_api_url: https://example.org\n');
    const fromFile = JSON.parse((await cli(['config', 'show', '--json'])).stdout);
    expect(fromFile.apiUrl).toBe('https://example.org');
    expect(fromFile.apiKeySource).toBe('config-file');
    const fromEnv = await runCli(['config', 'show', '--json'], {
      env: { ...env, DATAMINT_API_KEY: KEY, DATAMINT_API_URL: 'http://10.0.0.1:9' },
    });
    const parsed = JSON.parse(fromEnv.stdout);
    expect(parsed).toMatchObject({ apiKeySource: 'env', apiUrl: 'http://10.0.0.1:9', apiUrlSource: 'env' });
    expectNoKey(fromEnv);
  });

  it('reads the key from stdin and keeps other keys when setting one', async () => {
    expect((await cli(['config', 'set', '--url', 'https://a.example'])).code).toBe(0);
    const set = await cli(['config', 'set', '--api-key-stdin'], `${KEY}\n`);
    expect(set.code).toBe(0);
    expectNoKey(set);
    expect(parse(readFileSync(home.configFile, 'utf8'))).toEqual({
      api_key: KEY,
      default_api_url: 'https://a.example',
    });
  });

  it('rejects a non-http URL without writing anything (the Python tool saved the key and exited 0)', async () => {
    const bad = await cli(['config', '--api-key', KEY, '--url', 'ftp://example.org']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ftp://example.org');
    expectNoKey(bad);
    expect(existsSync(home.configFile)).toBe(false);
  });

  it('clears only with --yes when stdin is not a terminal', async () => {
    await cli(['config', 'set', '--api-key', KEY]);
    const refused = await cli(['config', 'clear']);
    expect(refused.code).toBe(2);
    expect(existsSync(home.configFile)).toBe(true);
    const cleared = await cli(['config', 'clear', '--yes']);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toContain('All configuration settings cleared');
    expect(existsSync(home.configFile)).toBe(false);
    const again = await cli(['config', 'clear', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(`Nothing to clear: there is no ${home.configFile}.`);
  });

  it('runs the interactive menu from piped answers and survives end of input', async () => {
    const result = await cli(
      ['config', '-i'],
      `\n${KEY}\n1\n${KEY}\n2\nnot-a-url\n2\nhttp://127.0.0.1:4000\n3\n`,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('End of input');
    expect(result.stderr).toContain('invalid API URL "not-a-url"');
    expect(result.stderr).toContain('invalid choice');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expectNoKey(result);
    expect(parse(readFileSync(home.configFile, 'utf8'))).toEqual({
      api_key: KEY,
      default_api_url: 'http://127.0.0.1:4000',
    });
  });

  it('ends cleanly on end of input at the first prompt, with no file yet', async () => {
    const result = await cli(['config', '--interactive'], '');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('End of input');
    expect(existsSync(home.configFile)).toBe(false);
  });

  it('fails the connection test with one line and exit code 1 when nothing listens', async () => {
    const result = await runCli(['config', 'test'], {
      env: { ...env, DATAMINT_API_KEY: KEY, DATAMINT_API_URL: 'http://127.0.0.1:9' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('http://127.0.0.1:9');
    expectNoKey(result);
  });

  it('says how to set a key when none is configured', async () => {
    const result = await cli(['config', 'test']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('datamint config');
  });
});
