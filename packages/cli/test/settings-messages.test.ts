import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, homeEnv, makeHome, runCli } from './helpers/cli';

let home: ReturnType<typeof makeHome>;
beforeEach(() => {
  home = makeHome();
  return () => home.cleanup();
});

const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, { env: { ...homeEnv(home.home), ...extra } });

/** The one error line of a failed run. */
function errorLine(result: CliResult): string {
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('what the settings commands say', () => {
  it('config show says once that the key is not set, and how to set it', async () => {
    const show = await cli(['config', 'show']);
    expect(show.code).toBe(0);
    const keyLine = show.stdout.split('\n').find((l) => l.startsWith('API key:'));
    expect(keyLine).toBe(
      'API key:     not set: set DATAMINT_API_KEY, or save one with `datamint config set --api-key-stdin < key.txt`',
    );
    expect(show.stdout.match(/not set/g)).toHaveLength(1);
  });

  it('a missing key is said in the command line terms, with exit code 1', async () => {
    for (const args of [
      ['resources', 'list'],
      ['projects', 'list'],
      ['config', 'test'],
      ['download', 'x'],
    ]) {
      const result = await cli(args, { DATAMINT_API_URL: 'http://127.0.0.1:9' });
      expect(result.code, args.join(' ')).toBe(1);
      expect(errorLine(result), args.join(' ')).toBe(
        `error: no API key is configured: set DATAMINT_API_KEY, or save one with \`datamint config set --api-key-stdin < key.txt\` (the config file is ${home.configFile})`,
      );
    }
  });

  it('an invalid API URL is a lower-case error line naming where it was set', async () => {
    const fromEnv = await cli(['resources', 'list'], {
      DATAMINT_API_URL: 'notaurl',
      DATAMINT_API_KEY: 'some-key-1234',
    });
    expect(fromEnv.code).toBe(1);
    expect(errorLine(fromEnv)).toBe(
      'error: invalid API URL "notaurl" (from DATAMINT_API_URL): expected e.g. https://api.datamint.io',
    );
    mkdirSync(dirname(home.configFile), { recursive: true });
    writeFileSync(home.configFile, 'api_key: some-key-1234\ndefault_api_url: ftp://example.org\n');
    const fromFile = await cli(['projects', 'list']);
    expect(fromFile.code).toBe(1);
    expect(errorLine(fromFile)).toBe(
      `error: invalid API URL "ftp://example.org" (default_api_url in ${home.configFile}): it must start with http:// or https://`,
    );
  });

  it('a config file that is not YAML is a lower-case error line', async () => {
    mkdirSync(dirname(home.configFile), { recursive: true });
    writeFileSync(home.configFile, 'api_key: [unclosed\n');
    const result = await cli(['resources', 'list']);
    expect(result.code).toBe(1);
    expect(errorLine(result)).toMatch(/^error: the Datamint config file .* is not valid YAML/);
  });

  it.skipIf(!existsSync('/proc/self'))(
    'saving under a folder that refuses new folders (/proc) fails at once, naming it',
    async () => {
      // Node's recursive mkdir loops forever there: the child is killed rather than the test hanging.
      const result = await runCli(['config', 'set', '--url', 'http://127.0.0.1:3000'], {
        env: { ...homeEnv(home.home), XDG_CONFIG_HOME: '/proc/x' },
        timeoutMs: 20_000,
      });
      expect(result.code).toBe(1);
      expect(errorLine(result)).toBe(
        'error: cannot create the folder /proc/x: /proc does not accept new folders (ENOENT)',
      );
    },
    30_000,
  );
});
