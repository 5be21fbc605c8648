import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DatamintException } from './errors';
import { makeDirectory } from './make-directory';

/** The hosted Datamint API, used when neither an option, the environment nor the config file names one. */
export const DEFAULT_API_URL = 'https://api.datamint.io';
/** The environment variable holding the API key (the Python SDK reads the same one). */
export const API_KEY_ENV = 'DATAMINT_API_KEY';
/** The environment variable holding the API URL (the Python SDK reads the same one). */
export const API_URL_ENV = 'DATAMINT_API_URL';

/** The two keys the Python `datamint-config` tool reads and writes; the file is shared with it. */
export interface ConfigFileSettings {
  /** The saved API key. */
  api_key?: string;
  /** The saved API URL. */
  default_api_url?: string;
}

/** Where `resolveConfig` looks besides its explicit options (tests point these elsewhere). */
export interface ConfigSources {
  /** Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Defaults to {@link configFilePath}(). `null` disables the config file. */
  configFile?: string | null;
}

/** Options of {@link resolveConfig}: explicit values win over every other source. */
export interface ResolveConfigOptions extends ConfigSources {
  /** An explicit API key (an empty string counts as unset). */
  apiKey?: string | undefined;
  /** An explicit API URL (an empty string counts as unset). */
  rootUrl?: string | undefined;
  /** When false, a missing key is not an error (the result's apiKey is then undefined). */
  requireApiKey?: boolean;
}

/** The settings a client connects with, and where each came from. */
export interface ResolvedConfig {
  /** The API key. */
  apiKey: string;
  /** The API URL, without trailing slashes. */
  rootUrl: string;
  /** Where each value came from, for `datamint config` and error messages. */
  sources: {
    /** Where the key came from. */
    apiKey: ConfigSource;
    /** Where the URL came from. */
    rootUrl: ConfigSource;
  };
}

/** Where a setting came from: an explicit option, the environment, the config file, the default, or nowhere. */
export type ConfigSource = 'option' | 'env' | 'config-file' | 'default' | 'none';

/**
 * The file location of Python's `platformdirs.user_config_dir("datamintapi")/datamintapi.yaml`,
 * so a key saved by either tool is seen by the other.
 */
export function configFilePath(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'win32') {
    // platformdirs uses the app name as the author folder too when appauthor is unset.
    const local = env.LOCALAPPDATA || join(home, 'AppData', 'Local');
    return join(local, 'datamintapi', 'datamintapi', 'datamintapi.yaml');
  }
  if (platform === 'darwin') {
    return join(home, 'Library', 'Application Support', 'datamintapi', 'datamintapi.yaml');
  }
  const xdg = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(xdg, 'datamintapi', 'datamintapi.yaml');
}

/**
 * Reads the config file; a missing or empty file means "no settings".
 * @throws DatamintException when the file cannot be read, is not YAML, or is not a mapping (the message names the file).
 */
export async function readConfigFile(path: string = configFilePath()): Promise<ConfigFileSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new DatamintException(`cannot read the Datamint config file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    // The YAML parser quotes the offending lines after its first one; errors stay one line.
    const reason = (error as Error).message.split('\n')[0]!.replace(/:$/, '');
    throw new DatamintException(`the Datamint config file ${path} is not valid YAML: ${reason}`, {
      cause: error,
    });
  }
  // Python crashes on an empty file; we treat it as empty settings.
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new DatamintException(`the Datamint config file ${path} must hold a YAML mapping`);
  }
  const settings: ConfigFileSettings = {};
  const record = data as Record<string, unknown>;
  if (record.api_key !== undefined && record.api_key !== null) settings.api_key = String(record.api_key);
  if (record.default_api_url !== undefined && record.default_api_url !== null) {
    settings.default_api_url = String(record.default_api_url);
  }
  return settings;
}

/**
 * Merges `changes` into the config file the way `datamint-config` does: read, set, write the
 * whole mapping with sorted keys in block style. `undefined` values remove a key.
 */
export async function writeConfigFile(
  changes: Partial<Record<keyof ConfigFileSettings, string | undefined>>,
  path: string = configFilePath(),
): Promise<ConfigFileSettings> {
  const current = (await readConfigFile(path)) as Record<string, string | undefined>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete current[key];
    else current[key] = value;
  }
  const sorted = Object.fromEntries(
    Object.entries(current)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  await makeDirectory(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, Object.keys(sorted).length ? stringify(sorted, { lineWidth: 0 }) : '{}\n', {
    mode: 0o600,
  });
  await rename(tmp, path);
  return sorted as ConfigFileSettings;
}

/** "Clear all" of `datamint-config`: deletes the file. */
export async function clearConfigFile(path: string = configFilePath()): Promise<void> {
  await rm(path, { force: true });
}

const nonEmpty = (value: string | undefined | null): string | undefined =>
  value === undefined || value === null || value === '' ? undefined : value;

/** `url` without its trailing slashes, so paths can be appended with one `/`. */
export function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Explicit options > environment (an empty variable counts as unset) > the Python tool's
 * config file > the default URL. With `requireApiKey: false` a missing key is `undefined`.
 * @throws DatamintException when no key is found (the message says how to set one) or the config file is unreadable.
 * @example
 * ```ts
 * import { resolveConfig } from '@datamint/core';
 *
 * const { rootUrl, sources } = await resolveConfig({ requireApiKey: false });
 * console.log(`${rootUrl} (from ${sources.rootUrl})`);
 * ```
 */
export async function resolveConfig(options: ResolveConfigOptions & { requireApiKey: false }): Promise<
  Omit<ResolvedConfig, 'apiKey'> & {
    /** The API key, `undefined` when no source has one. */
    apiKey: string | undefined;
  }
>;
export async function resolveConfig(options?: ResolveConfigOptions): Promise<ResolvedConfig>;
export async function resolveConfig(
  options: ResolveConfigOptions = {},
): Promise<Omit<ResolvedConfig, 'apiKey'> & { apiKey: string | undefined }> {
  const env = options.env ?? process.env;
  const path = options.configFile === undefined ? configFilePath(env) : options.configFile;
  const file = path === null ? {} : await readConfigFile(path);

  const pick = (
    option: string | undefined,
    envValue: string | undefined,
    fileValue: string | undefined,
  ): [string | undefined, ConfigSource] => {
    if (nonEmpty(option)) return [option, 'option'];
    if (nonEmpty(envValue)) return [envValue, 'env'];
    if (nonEmpty(fileValue)) return [fileValue, 'config-file'];
    return [undefined, 'none'];
  };
  const [apiKey, apiKeySource] = pick(options.apiKey, env[API_KEY_ENV], file.api_key);
  let [rootUrl, rootUrlSource] = pick(options.rootUrl, env[API_URL_ENV], file.default_api_url);
  if (rootUrl === undefined) {
    rootUrl = DEFAULT_API_URL;
    rootUrlSource = 'default';
  }
  if (apiKey === undefined && options.requireApiKey !== false) {
    throw new DatamintException(
      `API key not provided: pass apiKey, set the environment variable ${API_KEY_ENV}, or save one with \`datamint config --api-key <KEY>\` (the Python \`datamint-config\` file is read too${path ? `: ${path}` : ''}).`,
    );
  }
  return {
    apiKey,
    rootUrl: stripTrailingSlashes(rootUrl),
    sources: { apiKey: apiKeySource, rootUrl: rootUrlSource },
  };
}
