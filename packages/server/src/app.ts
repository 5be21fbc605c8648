import { STATUS_CODES } from 'node:http';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppContext } from './context';
import { installCors } from './cors';
import { BadRequestError, HttpError, UnauthorizedError } from './errors';
import { type FaultInjector, installFaults } from './faults';
import type { LoggerOptions } from './options';
import { hashApiKey, type Principal } from './principals';
import { registerRoutes } from './routes';

export interface AppOptions {
  logger?: boolean | LoggerOptions;
  cors?: boolean;
  prefix?: string;
  faults?: FaultInjector;
}

const JSON_BODY_LIMIT = 64 * 1024 * 1024;

function loggerConfig(logger: AppOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const opts = logger === true ? {} : logger;
  return {
    level: opts.level ?? 'info',
    // stdout belongs to the `listening on` line: logs always go to stderr unless a stream is given.
    stream: opts.stream ?? process.stderr,
    // Belt and braces: the default serializers do not log headers, but a custom one might.
    redact: { paths: ['req.headers.apikey', 'headers.apikey', 'apikey'], censor: '[redacted]' },
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
    // Lets `close()` finish even when clients keep idle keep-alive sockets open.
    forceCloseConnections: 'idle',
  });

  app.decorateRequest('principal', null as unknown as Principal);

  if (options.cors) installCors(app);
  if (options.faults) installFaults(app, options.faults);

  app.addHook('onRequest', async (req) => {
    const header = req.headers.apikey;
    const key = typeof header === 'string' ? header : undefined;
    const principal = key ? ctx.principals.get(hashApiKey(key)) : undefined;
    if (!principal) throw new UnauthorizedError();
    req.principal = principal;
  });

  // Empty JSON bodies are accepted (some clients send the header on body-less POSTs).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    /^application\/([\w.+-]*\+)?json\b/,
    { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT },
    (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (err) {
        done(new BadRequestError(`request body is not valid JSON: ${(err as Error).message}`), undefined);
      }
    },
  );
  // Any other type: an empty body is no body (publish/delete from clients that always set a type), and
  // JSON text is read leniently; routes that need an object or array reject anything else with 400.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, text);
    }
  });

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
  if (options.prefix) {
    await app.register(async (scope) => registerRoutes(scope, ctx), { prefix: options.prefix });
  }
  return app;
}
