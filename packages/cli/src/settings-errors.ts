import { API_KEY_ENV, API_URL_ENV, type ConfigSource } from '@datamint/core';
import { CliError } from './errors';

/**
 * How a user of the command sets a key. The library's own message speaks of an `apiKey` option,
 * which a command line does not have.
 */
export function setApiKeyHint(): string {
  return `set ${API_KEY_ENV}, or save one with \`datamint config set --api-key-stdin < key.txt\``;
}

/** No key in the environment or the config file: the command cannot talk to the API. */
export class MissingApiKeyError extends CliError {
  override name = 'MissingApiKeyError';
  constructor(configFile: string) {
    super(`no API key is configured: ${setApiKeyHint()} (the config file is ${configFile})`);
  }
}

/** Why `url` cannot be an API URL, or `undefined` when it can be one. */
export function apiUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'expected e.g. https://api.datamint.io';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return 'it must start with http:// or https://';
  }
  return undefined;
}

/** Where a setting was read, in the words a user would look for it. */
const WHERE: Partial<Record<ConfigSource, (configFile: string) => string>> = {
  env: () => `from ${API_URL_ENV}`,
  'config-file': (configFile) => `default_api_url in ${configFile}`,
};

/**
 * The resolved API URL is not one: said before any request, naming where it was read, since that
 * is what the user has to change.
 */
export class InvalidApiUrlError extends CliError {
  override name = 'InvalidApiUrlError';
  /** The URL as it was configured. */
  readonly url: string;
  constructor(url: string, problem: string, source: ConfigSource, configFile: string) {
    const where = WHERE[source]?.(configFile);
    super(`invalid API URL ${JSON.stringify(url)}${where ? ` (${where})` : ''}: ${problem}`);
    this.url = url;
  }
}
