import { APIHandler } from '@datamint/client';
import { type ResolvedConfig, resolveConfig } from '@datamint/core';
import type { CommandContext } from './context';

/** The API key and URL as the Python tools resolve them (env > config file > default). */
export async function resolveSettings(ctx: CommandContext): Promise<ResolvedConfig> {
  const config = await resolveConfig({ env: ctx.streams.env, configFile: ctx.configFile });
  ctx.term.addSecret(config.apiKey);
  return config;
}

/** A client for the resolved settings; warnings and (with --verbose) requests go to stderr. */
export async function openClient(
  ctx: CommandContext,
  options: { concurrency?: number } = {},
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
    onWarning: (message) => ctx.term.warn(message),
    log: (event) => {
      if (event.type === 'request') return;
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
