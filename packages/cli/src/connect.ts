import { APIHandler } from '@datamint/client';
import { API_KEY_ENV, type ResolvedConfig, resolveConfig, writeConfigFile } from '@datamint/core';
import type { CommandContext } from './context';
import { CliError } from './errors';
import { apiUrlProblem, InvalidApiUrlError, MissingApiKeyError } from './settings-errors';

/**
 * `datamint-upload`'s behaviour when no key is configured: on a terminal, ask for one (not echoed)
 * and offer to save it; the answer is used for this run. Without a terminal nothing is asked.
 */
export async function ensureApiKey(ctx: CommandContext): Promise<void> {
  const current = await resolveConfig({
    env: ctx.streams.env,
    configFile: ctx.configFile,
    requireApiKey: false,
  });
  if (current.apiKey !== undefined || !ctx.term.stdinIsTTY || ctx.term.json) return;
  ctx.term.note(`No API key configured (${API_KEY_ENV} or ${ctx.configFile}).`);
  const key = (await ctx.prompt.ask('API key (leave empty to abort): ', { hidden: true }))?.trim();
  if (!key) throw new CliError('API key not provided: nothing was uploaded');
  ctx.term.addSecret(key);
  if (await ctx.prompt.confirm('Save the API key so it automatically loads next time?')) {
    await writeConfigFile({ api_key: key }, ctx.configFile);
    ctx.term.note(`API key saved to ${ctx.configFile}`);
  }
  // Like the Python tool, the key is exported for the rest of this run.
  ctx.streams.env[API_KEY_ENV] = key;
}

/**
 * The API key and URL as the Python tools resolve them (env > config file > default), checked here
 * so that a missing key or a bad URL is said in the command's terms rather than the library's.
 */
export async function resolveSettings(ctx: CommandContext): Promise<ResolvedConfig & { apiKey: string }> {
  const config = await resolveConfig({
    env: ctx.streams.env,
    configFile: ctx.configFile,
    requireApiKey: false,
  });
  if (config.apiKey === undefined) throw new MissingApiKeyError(ctx.configFile);
  ctx.term.addSecret(config.apiKey);
  const problem = apiUrlProblem(config.rootUrl);
  if (problem !== undefined) {
    throw new InvalidApiUrlError(config.rootUrl, problem, config.sources.rootUrl, ctx.configFile);
  }
  return { ...config, apiKey: config.apiKey };
}

/** A client for the resolved settings; warnings and (with --verbose) requests go to stderr. */
export async function openClient(
  ctx: CommandContext,
  options: { concurrency?: number; maxRetries?: number } = {},
): Promise<APIHandler> {
  const config = await resolveSettings(ctx);
  ctx.term.debug(
    `API ${config.rootUrl} (key from ${config.sources.apiKey}, URL from ${config.sources.rootUrl})`,
  );
  return new APIHandler({
    rootUrl: config.rootUrl,
    apiKey: config.apiKey,
    env: ctx.streams.env,
    configFile: ctx.configFile,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    onWarning: (message) => ctx.term.warn(message),
    log: (event) => {
      if (event.type === 'request') {
        ctx.term.debug(`${event.method} ${event.url} (attempt ${event.attempt})`);
        return;
      }
      ctx.term.debug(
        `${event.method} ${event.url} ${event.status ?? event.error ?? event.type}${event.durationMs !== undefined ? ` ${event.durationMs} ms` : ''}`,
      );
    },
  });
}

/** GET /projects with the resolved settings; the number of projects proves key and URL work. */
export async function countProjects(ctx: CommandContext): Promise<number> {
  const api = await openClient(ctx);
  try {
    return (await api.getProjects()).length;
  } finally {
    await api.close();
  }
}
