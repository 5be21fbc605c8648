import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearConfigFile,
  configFilePath,
  DatamintException,
  readConfigFile,
  resolveConfig,
  writeConfigFile,
} from '../src/index';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'dm-config-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const envWith = (extra: Record<string, string> = {}) => ({ HOME: home, ...extra });

describe('config file location (platformdirs user_config_dir("datamintapi"))', () => {
  it('Linux: $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configFilePath({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.config/datamintapi/datamintapi.yaml');
    expect(configFilePath({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(
      '/x/datamintapi/datamintapi.yaml',
    );
    expect(configFilePath({ HOME: '/home/u', XDG_CONFIG_HOME: '' }, 'linux')).toBe(
      '/home/u/.config/datamintapi/datamintapi.yaml',
    );
  });
  it('macOS and Windows', () => {
    expect(configFilePath({ HOME: '/Users/u' }, 'darwin')).toBe(
      '/Users/u/Library/Application Support/datamintapi/datamintapi.yaml',
    );
    expect(configFilePath({ HOME: 'C:\\Users\\u', LOCALAPPDATA: 'L' }, 'win32')).toMatch(
      /^L[\\/]datamintapi[\\/]datamintapi[\\/]datamintapi\.yaml$/,
    );
  });
});

describe('resolveConfig precedence', () => {
  async function writePythonConfig(text: string): Promise<string> {
    const path = configFilePath(envWith(), 'linux');
    await mkdir(join(home, '.config', 'datamintapi'), { recursive: true });
    await writeFile(path, text);
    return path;
  }

  it('reads a file written by the Python datamint-config tool (PyYAML block style, sorted keys)', async () => {
    await writePythonConfig('api_key: abc12345xyz\ndefault_api_url: http://127.0.0.1:3000/\n');
    const config = await resolveConfig({ env: envWith() });
    expect(config).toEqual({
      apiKey: 'abc12345xyz',
      rootUrl: 'http://127.0.0.1:3000',
      sources: { apiKey: 'config-file', rootUrl: 'config-file' },
    });
  });

  it('environment beats the file; options beat the environment', async () => {
    await writePythonConfig('api_key: from-file\ndefault_api_url: http://file\n');
    const env = envWith({ DATAMINT_API_KEY: 'from-env', DATAMINT_API_URL: 'http://env//' });
    expect(await resolveConfig({ env })).toMatchObject({ apiKey: 'from-env', rootUrl: 'http://env' });
    expect(await resolveConfig({ env, apiKey: 'from-opt', rootUrl: 'http://opt/' })).toMatchObject({
      apiKey: 'from-opt',
      rootUrl: 'http://opt',
      sources: { apiKey: 'option', rootUrl: 'option' },
    });
  });

  it('an empty environment variable counts as unset', async () => {
    await writePythonConfig('api_key: from-file\n');
    const config = await resolveConfig({ env: envWith({ DATAMINT_API_KEY: '', DATAMINT_API_URL: '' }) });
    expect(config).toMatchObject({ apiKey: 'from-file', rootUrl: 'https://api.datamint.io' });
    expect(config.sources.rootUrl).toBe('default');
  });

  it('a missing key names the variable and the config command', async () => {
    const error = await resolveConfig({ env: envWith() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatamintException);
    expect((error as Error).message).toContain('DATAMINT_API_KEY');
    expect((error as Error).message).toContain('datamint config');
    await expect(resolveConfig({ env: envWith(), requireApiKey: false })).resolves.toMatchObject({
      apiKey: undefined,
    });
  });

  it('an empty file means no settings (Python crashes on it)', async () => {
    await writePythonConfig('');
    await expect(resolveConfig({ env: envWith(), apiKey: 'k' })).resolves.toMatchObject({ apiKey: 'k' });
  });

  it('a file that is not a mapping is a clear error naming the file', async () => {
    const path = await writePythonConfig('- just\n- a list\n');
    await expect(resolveConfig({ env: envWith() })).rejects.toThrow(path);
  });
});

describe('writing the config file', () => {
  it('writes what PyYAML would (sorted keys, block style) and merges keys', async () => {
    const path = join(home, 'cfg', 'datamintapi.yaml');
    await writeConfigFile({ default_api_url: 'http://localhost:3001' }, path);
    await writeConfigFile({ api_key: 'abc12345xyz' }, path);
    expect(await readFile(path, 'utf8')).toBe(
      'api_key: abc12345xyz\ndefault_api_url: http://localhost:3001\n',
    );
    expect(await readConfigFile(path)).toEqual({
      api_key: 'abc12345xyz',
      default_api_url: 'http://localhost:3001',
    });
    await writeConfigFile({ api_key: undefined }, path);
    expect(await readFile(path, 'utf8')).toBe('default_api_url: http://localhost:3001\n');
    await clearConfigFile(path);
    expect(await readConfigFile(path)).toEqual({});
  });
});
