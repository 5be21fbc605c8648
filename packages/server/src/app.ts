import { STATUS_CODES } from 'node:http';
import { IDEMPOTENCY_CAPABILITY_HEADER, IDEMPOTENCY_HONOURED } from '@datamint/core/internal';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppContext } from './context';
import { installCors } from './cors';
import { BadRequestError, HttpError, UnauthorizedError } from './errors';
import { type FaultInjector, installFaults } from './faults';
import { MAX_JSON_DEPTH, tooDeepField } from './json-depth';
import type { LoggerOptions, ServerTimeouts } from './options';
import { hashApiKey, type Principal, presentedApiKey } from './principals';
import { registerRoutes } from './routes';
import { registerWebApp } from './web-app';

export interface AppOptions {
  logger?: boolean | LoggerOptions;
  cors?: boolean;
  prefix?: string;
  faults?: FaultInjector;
  /** Folder of the built web app served under `/app/`; `undefined` answers 404 there. */
  webAppDir?: string;
  timeouts?: ServerTimeouts;
}

const JSON_BODY_LIMIT = 64 * 1024 * 1024;

function loggerConfig(logger: AppOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const opts = logger === true ? {} : logger;
  return {
    level: opts.level ?? 'info',
    // stdout belongs to the `listening on` line: logs always go to stderr unless a stream is given.
    stream: opts.stream ?? process.stderr,
    // The default request serializer logs no headers, but plugins do: @fastify/multipart logs its
    // busboy options, request headers included, at trace level. Redact the key wherever headers appear.
    redact: {
      paths: [
        'apikey',
        '*.apikey',
        'headers.apikey',
        '*.headers.apikey',
        '*.*.headers.apikey',
        'req.headers.apikey',
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        '*.*.headers.authorization',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
}

const textBodyOptions = { parseAs: 'string' as const, bodyLimit: JSON_BODY_LIMIT };

function parseBody(strictJson: boolean) {
  return (_req: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    const looksJson = /^\s*[[{]/.test(text);
    const deepField = looksJson ? tooDeepField(text) : undefined;
    if (deepField !== undefined) {
      done(
        new BadRequestError(
          `field '${deepField}' of the request body nests deeper than ${MAX_JSON_DEPTH} levels`,
        ),
      );
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      if (strictJson) done(new BadRequestError(`request body is not valid JSON: ${(err as Error).message}`));
      else done(null, text);
    }
  };
}

function errorBody(statusCode: number, message: string) {
  return { statusCode, message, error: STATUS_CODES[statusCode] ?? 'Error' };
}

/** Builds the fastify app: hooks (faults, auth), body parsers, error shape and routes. */
export async function buildApp(ctx: AppContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerConfig(options.logger),
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    bodyLimit: JSON_BODY_LIMIT,
    // Declared schemas validate as written: no coercion ("abc" is not turned into ["abc"], "1" not
    // into 1), so a wrong type is a 400 naming the field instead of a silently different request.
    ajv: { customOptions: { coerceTypes: false } },
    // Lets `close()` finish even when clients keep idle keep-alive sockets open.
    forceCloseConnections: 'idle',
    // A peer that stops sending (a stalled upload) must not hold a connection, a temp file and the
    // shutdown forever.
    ...(options.timeouts && {
      requestTimeout: options.timeouts.requestMs,
      connectionTimeout: options.timeouts.bodyMs,
      keepAliveTimeout: options.timeouts.idleMs,
    }),
  });

  app.decorateRequest('principal', null as unknown as Principal);

  // Tells clients that creating requests are stored once per Idempotency-Key (see idempotency.ts),
  // so they may repeat one after a lost response; @datamint/core only does so after seeing this.
  app.addHook('onRequest', async (_req, reply) => {
    reply.header(IDEMPOTENCY_CAPABILITY_HEADER, IDEMPOTENCY_HONOURED);
    // Browsers must not guess a runnable type from stored content (a mask that looks like HTML).
    reply.header('x-content-type-options', 'nosniff');
  });

  if (options.cors) installCors(app);
  if (options.faults) installFaults(app, options.faults);

  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.public === true) return;
    const key = presentedApiKey(req.headers);
    const principal = key ? ctx.principals.get(hashApiKey(key)) : undefined;
    if (!principal) throw new UnauthorizedError();
    req.principal = principal;
  });

  // Empty bodies are no body, whatever the type (some clients send the header on body-less POSTs).
  // A JSON type must hold JSON; any other type is read leniently as JSON or else kept as text, and
  // routes that need an object or array reject anything else with 400.
  app.removeContentTypeParser('application/json');
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(/^application\/([\w.+-]*\+)?json\b/, textBodyOptions, parseBody(true));
  app.addContentTypeParser('*', textBodyOptions, parseBody(false));

  await app.register(multipart, { throwFileSizeLimit: true });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) {
      reply.code(err.statusCode).headers(err.headers).send(errorBody(err.statusCode, err.message));
      return;
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      reply
        .code(status)
        .send(errorBody(status, (err as Error).message || STATUS_CODES[status] || 'Bad Request'));
      return;
    }
    req.log.error({ err }, 'request failed');
    reply.code(500).send(errorBody(500, 'Internal server error'));
  });

  app.setNotFoundHandler((req, reply) => {
    // Deliberately avoids the phrase " not found": the Python SDK would report a missing entity.
    reply.code(404).send(errorBody(404, `No route matches ${req.method} ${req.url.split('?')[0]}`));
  });

  await app.register(async (scope) => registerRoutes(scope, ctx));
  registerWebApp(app, options.webAppDir);
  if (options.prefix) {
    await app.register(async (scope) => registerRoutes(scope, ctx), { prefix: options.prefix });
  }
  return app;
}
