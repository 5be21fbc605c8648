import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp } from './app';
import type { AppContext } from './context';
import { openDatabase } from './db/open-database';
import { ServerConfigError } from './errors';
import { FaultInjector } from './faults';
import type { RunningServer, ServerOptions, ServerTimeouts } from './options';
import { sweepOrphanFiles } from './orphan-sweep';
import { registerPrincipals, validateKey } from './principals';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './render/decode-limits';
import { RenderPool, type RenderPoolOptions } from './render/render-pool';
import { FileStore } from './storage';
import { defaultWebAppDir } from './web-app';

/** The largest upload accepted when `maxUploadBytes` is not given: 2 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** The SQLite database's file name inside `dataDir`. */
export const DATABASE_FILE = 'datamint.sqlite';

/** Defaults of `ServerOptions.timeouts`. */
export const DEFAULT_TIMEOUTS: Readonly<ServerTimeouts> = {
  requestMs: 10 * 60_000,
  bodyMs: 30_000,
  idleMs: 5_000,
  shutdownMs: 10_000,
};

function decodeLimitsOf(options: ServerOptions): DecodeLimits {
  const limits = {
    maxFramePixels: options.maxFramePixels ?? DEFAULT_DECODE_LIMITS.maxFramePixels,
    maxDecompressedBytes: options.maxDecompressedBytes ?? DEFAULT_DECODE_LIMITS.maxDecompressedBytes,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new ServerConfigError(`${name} must be a positive integer, got ${value}`);
    }
  }
  return limits;
}

/** Tasks that may wait for a free render worker when `renderQueueLimit` is not given. */
export const DEFAULT_RENDER_QUEUE_LIMIT = 1024;

function renderPoolOf(options: ServerOptions): RenderPoolOptions {
  const workers = options.renderWorkers ?? Math.min(2, availableParallelism());
  const queueLimit = options.renderQueueLimit ?? DEFAULT_RENDER_QUEUE_LIMIT;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ServerConfigError(`renderWorkers must be a positive integer, got ${options.renderWorkers}`);
  }
  if (!Number.isInteger(queueLimit) || queueLimit < 0) {
    throw new ServerConfigError(
      `renderQueueLimit must be a non-negative integer, got ${options.renderQueueLimit}`,
    );
  }
  return { workers, queueLimit };
}

function timeoutsOf(options: ServerOptions): ServerTimeouts {
  const out = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  for (const [name, value] of Object.entries(out)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new ServerConfigError(
        `timeouts.${name} must be a positive integer of milliseconds, got ${value}`,
      );
    }
  }
  return out;
}

function normalisePrefix(prefix: string | undefined): string | undefined {
  if (prefix === undefined || prefix === '' || prefix === '/') return undefined;
  if (!/^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/.test(prefix)) {
    throw new ServerConfigError(`prefix must be a URL path such as '/api', got '${prefix}'`);
  }
  return `/${prefix.replace(/^\/+|\/+$/g, '')}`;
}

function validate(options: ServerOptions): void {
  if (typeof options.dataDir !== 'string' || options.dataDir === '') {
    throw new ServerConfigError('dataDir is required: the directory holding the database and uploaded files');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ServerConfigError(`port must be an integer between 0 and 65535, got ${options.port}`);
  }
  const max = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!Number.isInteger(max) || max <= 0) {
    throw new ServerConfigError(`maxUploadBytes must be a positive integer, got ${options.maxUploadBytes}`);
  }
  const keyCount = (options.apiKeys?.length ?? 0) + (options.users?.filter((u) => u.apiKey).length ?? 0);
  options.apiKeys?.forEach((entry, i) => {
    validateKey(typeof entry === 'string' ? entry : entry?.key, `apiKeys[${i}]`);
  });
  options.users?.forEach((u, i) => {
    if (u.apiKey !== undefined) validateKey(u.apiKey, `users[${i}].apiKey`);
  });
  if (keyCount === 0) {
    throw new ServerConfigError(
      'at least one API key is required (apiKeys option, --api-key or DATAMINT_SERVER_API_KEYS)',
    );
  }
}

function webAppDirOf(option: ServerOptions['webApp']): string | undefined {
  if (option === false) return undefined;
  if (typeof option === 'string') return resolve(option);
  return defaultWebAppDir();
}

/**
 * Starts a Datamint-compatible API server on loopback (by default) and resolves once it accepts connections.
 * @throws ServerConfigError for invalid options (no API key, a bad port, host or limit), naming the option.
 * @example
 * ```ts
 * import { startServer } from '@datamint/server';
 *
 * const server = await startServer({ port: 0, dataDir: './datamint-data', apiKeys: ['dev-key'] });
 * console.log(server.url); // http://127.0.0.1:PORT, for APIHandler's rootUrl
 * await server.close();
 * ```
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  validate(options);
  const timeouts = timeoutsOf(options);
  const decodeLimits = decodeLimitsOf(options);
  const render = new RenderPool(renderPoolOf(options));
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const store = new FileStore(dataDir);
  await store.init();
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const pending = new Set<Promise<unknown>>();
  try {
    const principals = registerPrincipals(db, options.apiKeys ?? [], options.users ?? []);
    const ctx: AppContext = {
      db,
      store,
      principals,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      decodeLimits,
      render,
      track: (work) => {
        pending.add(work);
        const forget = () => pending.delete(work);
        work.then(forget, forget);
        return work;
      },
    };
    const faults = options.faults && options.faults.rate > 0 ? new FaultInjector(options.faults) : undefined;
    const app = await buildApp(ctx, {
      logger: options.logger,
      prefix: normalisePrefix(options.prefix),
      faults,
      cors: options.cors === true,
      webAppDir: webAppDirOf(options.webApp),
      timeouts,
    });
    const swept = await sweepOrphanFiles(db, store);
    if (swept.length > 0) {
      app.log.warn(
        { count: swept.length, files: swept.slice(0, 100) },
        `removed ${swept.length} stored file(s) without a database row (left by a crash mid-upload)`,
      );
    }
    app.addHook('onClose', async () => {
      await Promise.allSettled([...pending]);
    });
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${address.port}`,
      host: address.address,
      port: address.port,
      close: () => {
        closing ??= (async () => {
          // Stops accepting at once; requests still running get the shutdown deadline, then their
          // connections are cut (an upload cut mid-body removes its temp file as it fails).
          const cut = setTimeout(() => app.server.closeAllConnections(), timeouts.shutdownMs);
          try {
            await app.close();
          } finally {
            clearTimeout(cut);
            await render.close();
            db.close();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    await render.close();
    db.close();
    throw err;
  }
}
