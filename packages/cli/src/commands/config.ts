import { existsSync } from 'node:fs';
import {
  API_KEY_ENV,
  API_URL_ENV,
  type ConfigSource,
  clearConfigFile,
  readConfigFile,
  resolveConfig,
  writeConfigFile,
} from '@datamint/core';
import { maskKey } from '@datamint/core/internal';
import type { Command } from 'commander';
import { countProjects, resolveSettings } from '../connect';
import { type CommandContext, contextFor } from '../context';
import { CliError, UsageError } from '../errors';
import type { CliStreams } from '../io';
import { apiUrlProblem, setApiKeyHint } from '../settings-errors';

interface SetOptions {
  apiKey?: string;
  apiKeyStdin?: boolean;
  /** `--url` and its alias `--default-url` (commander names the pair after the long one). */
  defaultUrl?: string;
}

const SOURCE_LABEL: Record<ConfigSource, string> = {
  option: 'command line',
  env: 'environment',
  'config-file': 'config file',
  default: 'default',
  none: 'not set',
};

/** Same rule as `datamint-config`: only http(s) URLs, but a clear error instead of exit 0. */
export function validateApiUrl(url: string): string {
  const problem = apiUrlProblem(url);
  if (problem !== undefined)
    throw new UsageError(`invalid API URL ${JSON.stringify(url)}: ${problem}`, '--url');
  return url.replace(/\/+$/, '');
}

export function validateApiKey(key: string): string {
  const trimmed = key.trim();
  if (!trimmed) throw new UsageError('the API key is empty', '--api-key');
  if (/\s/.test(trimmed)) throw new UsageError('the API key contains white space', '--api-key');
  return trimmed;
}

async function describe(ctx: CommandContext) {
  const file = await readConfigFile(ctx.configFile);
  const resolved = await resolveConfig({
    env: ctx.streams.env,
    configFile: ctx.configFile,
    requireApiKey: false,
  });
  return {
    configFile: ctx.configFile,
    configFileExists: existsSync(ctx.configFile),
    apiKey: resolved.apiKey === undefined ? null : maskKey(resolved.apiKey),
    apiKeySource: resolved.sources.apiKey,
    apiUrl: resolved.rootUrl,
    apiUrlSource: resolved.sources.rootUrl,
    file: {
      api_key: file.api_key === undefined ? null : maskKey(file.api_key),
      default_api_url: file.default_api_url ?? null,
    },
  };
}

async function show(ctx: CommandContext): Promise<void> {
  const info = await describe(ctx);
  if (ctx.term.json) {
    ctx.term.emitJson(info);
    return;
  }
  const { term } = ctx;
  term.out(`Config file: ${info.configFile}${info.configFileExists ? '' : ' (not created yet)'}`);
  // An unset key has no source to name; what to do about it is more use than "(not set)" again.
  const key =
    info.apiKey === null
      ? `${term.style('not set', 'yellow')}: ${setApiKeyHint()}`
      : `${info.apiKey} (${SOURCE_LABEL[info.apiKeySource]})`;
  term.out(`API key:     ${key}`);
  term.out(`API URL:     ${info.apiUrl} (${SOURCE_LABEL[info.apiUrlSource]})`);
  if (info.apiKeySource === 'env' || info.apiUrlSource === 'env') {
    term.out(
      term.style(
        `Environment variables ${API_KEY_ENV}/${API_URL_ENV} take precedence over the config file.`,
        'dim',
      ),
    );
  }
}

async function readKeyFromStdin(ctx: CommandContext): Promise<string> {
  const line = await ctx.prompt.ask('');
  if (line === null || line === '')
    throw new UsageError('--api-key-stdin: no key on standard input', '--api-key-stdin');
  return line;
}

async function set(ctx: CommandContext, options: SetOptions): Promise<void> {
  if (options.apiKey !== undefined && options.apiKeyStdin) {
    throw new UsageError('use either --api-key or --api-key-stdin, not both', '--api-key-stdin');
  }
  // Validate everything before writing, so a bad URL never leaves a half-applied change.
  const changes: { api_key?: string; default_api_url?: string } = {};
  const rawKey = options.apiKeyStdin ? await readKeyFromStdin(ctx) : options.apiKey;
  if (rawKey !== undefined) {
    changes.api_key = validateApiKey(rawKey);
    ctx.term.addSecret(changes.api_key);
  }
  if (options.defaultUrl !== undefined) changes.default_api_url = validateApiUrl(options.defaultUrl);
  if (Object.keys(changes).length === 0) {
    throw new UsageError('nothing to set: pass --api-key KEY, --api-key-stdin and/or --url URL');
  }
  await writeConfigFile(changes, ctx.configFile);
  if (ctx.term.json) {
    ctx.term.emitJson({ saved: Object.keys(changes), ...(await describe(ctx)) });
    return;
  }
  if (changes.api_key) ctx.term.out(`API key saved (${maskKey(changes.api_key)}) to ${ctx.configFile}`);
  if (changes.default_api_url)
    ctx.term.out(`Default URL saved (${changes.default_api_url}) to ${ctx.configFile}`);
  if (ctx.streams.env[API_KEY_ENV] && changes.api_key) {
    ctx.term.warn(`${API_KEY_ENV} is set in this environment and overrides the saved key`);
  }
}

async function clear(ctx: CommandContext, yes: boolean): Promise<void> {
  if (!yes) {
    if (!ctx.term.stdinIsTTY) {
      throw new UsageError('refusing to clear the configuration without confirmation: pass --yes', '--yes');
    }
    if (!(await ctx.prompt.confirm('Are you sure you want to clear all configuration settings?'))) {
      ctx.term.out('Nothing cleared.');
      return;
    }
  }
  const existed = existsSync(ctx.configFile);
  await clearConfigFile(ctx.configFile);
  if (ctx.term.json) ctx.term.emitJson({ cleared: existed, configFile: ctx.configFile });
  else if (existed) ctx.term.out(`All configuration settings cleared (${ctx.configFile} deleted).`);
  else ctx.term.out(`Nothing to clear: there is no ${ctx.configFile}.`);
}

async function test(ctx: CommandContext): Promise<void> {
  const config = await resolveSettings(ctx);
  try {
    const projects = await countProjects(ctx);
    if (ctx.term.json) ctx.term.emitJson({ ok: true, apiUrl: config.rootUrl, projects });
    else ctx.term.out(`Connection to ${config.rootUrl} successful: ${projects} project(s) found.`);
  } catch (error) {
    if (ctx.term.json)
      ctx.term.emitJson({ ok: false, apiUrl: config.rootUrl, error: (error as Error).message });
    throw new CliError(
      `connection to ${config.rootUrl} failed: ${(error as Error).message} (check the key and URL with \`datamint config show\`)`,
      { cause: error },
    );
  }
}

const MENU = [
  '(1) Configure the API key',
  '(2) Configure the default URL',
  '(3) Show all configuration settings',
  '(4) Clear all configuration settings',
  '(5) Test connection',
  '(q) Exit',
];

/**
 * The `datamint-config` menu. End of input at any prompt ends the session cleanly (exit 0) instead
 * of the Python tool's EOFError traceback.
 */
async function interactive(ctx: CommandContext): Promise<void> {
  const { term, prompt } = ctx;
  term.out('Datamint configuration');
  const info = await describe(ctx);
  if (!info.configFileExists) {
    term.out(`No configuration yet (${ctx.configFile}). Get an API key from your Datamint account settings.`);
    const key = await prompt.ask('API key (leave empty to skip): ', { hidden: true });
    if (key === null) return endOfInput(ctx);
    if (key) await saveKey(ctx, key);
  }
  for (;;) {
    term.out('');
    for (const line of MENU) term.out(line);
    const choice = await prompt.ask('Enter your choice: ');
    if (choice === null) return endOfInput(ctx);
    switch (choice.toLowerCase()) {
      case '1': {
        const key = await prompt.ask('API key (leave empty to abort): ', { hidden: true });
        if (key === null) return endOfInput(ctx);
        if (key) await saveKey(ctx, key);
        break;
      }
      case '2': {
        term.out(`Current default URL: ${(await describe(ctx)).apiUrl}`);
        const url = await prompt.ask('Enter the default API URL (leave empty to abort): ');
        if (url === null) return endOfInput(ctx);
        if (!url) break;
        try {
          const valid = validateApiUrl(url);
          await writeConfigFile({ default_api_url: valid }, ctx.configFile);
          term.out(`Default URL saved (${valid}).`);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          term.warn(`${error.message}; nothing saved`);
        }
        break;
      }
      case '3':
        await show(ctx);
        break;
      case '4':
        if (await prompt.confirm('Are you sure you want to clear all configuration settings?')) {
          await clearConfigFile(ctx.configFile);
          term.out('All configuration settings cleared.');
        }
        break;
      case '5':
        try {
          await test(ctx);
        } catch (error) {
          term.error((error as Error).message);
        }
        break;
      case 'q':
      case 'quit':
      case 'exit':
        term.out('Goodbye!');
        return;
      default:
        // Not echoed: a key pasted at the wrong prompt must not end up on screen or in a log.
        term.warn('invalid choice: enter 1-5 or q');
    }
  }
}

function endOfInput(ctx: CommandContext): void {
  ctx.term.out('');
  ctx.term.out('End of input: leaving the configuration tool.');
}

async function saveKey(ctx: CommandContext, key: string): Promise<void> {
  try {
    const valid = validateApiKey(key);
    ctx.term.addSecret(valid);
    await writeConfigFile({ api_key: valid }, ctx.configFile);
    ctx.term.out(`API key saved (${maskKey(valid)}).`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    ctx.term.warn(`${error.message}; nothing saved`);
  }
}

export function registerConfig(program: Command, streams: CliStreams): void {
  const config = program
    .command('config')
    .description('show, set, clear or test the API key and URL (the Python datamint-config file)')
    .option('--api-key <key>', 'save the API key (visible in the process list: prefer --api-key-stdin)')
    .option('--api-key-stdin', 'read the API key from the first line of standard input')
    .option('--url, --default-url <url>', 'save the default API URL (http:// or https://)')
    .option('-i, --interactive', 'the menu of the Python tool (default when stdin is a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  $ datamint config                        # menu on a terminal, settings otherwise
  $ datamint config show --json
  $ echo "$KEY" | datamint config set --api-key-stdin --url https://api.datamint.io
  $ datamint config --api-key abc123 --url http://127.0.0.1:3000   # datamint-config syntax
  $ datamint config test
  $ datamint config clear --yes`,
    )
    .action(async (options: SetOptions & { interactive?: boolean }, command: Command) => {
      const ctx = contextFor(command, streams);
      const setting = options.apiKey !== undefined || options.apiKeyStdin || options.defaultUrl !== undefined;
      if (setting) await set(ctx, options);
      if (options.interactive || (!setting && ctx.term.stdinIsTTY && !ctx.term.json)) await interactive(ctx);
      else if (!setting) await show(ctx);
    });

  config
    .command('show')
    .description('print the effective key (masked) and URL, and where each comes from')
    .action(async (_options: unknown, command: Command) => show(contextFor(command, streams)));

  config
    .command('set')
    .description('save the API key and/or the default URL')
    .option('--api-key <key>', 'the API key')
    .option('--api-key-stdin', 'read the API key from standard input')
    .option('--url, --default-url <url>', 'the default API URL')
    .action(async (options: SetOptions, command: Command) => set(contextFor(command, streams), options));

  config
    .command('clear')
    .description('delete the config file')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (options: { yes?: boolean }, command: Command) =>
      clear(contextFor(command, streams), options.yes === true),
    );

  config
    .command('test')
    .description('check the key and URL by listing projects')
    .action(async (_options: unknown, command: Command) => test(contextFor(command, streams)));
}
