import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the web app is mounted; the API keeps every other path. */
export const WEB_APP_PATH = '/app/';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route anyone may read without an API key (only the web app's static files). */
    public?: boolean;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

// The page only talks to this server and draws images it fetched itself (blob: URLs); nothing may
// load from elsewhere or run inline, so a stored file name can never become script.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "style-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The folder holding the built web app: `dist/app` next to the built server, or, when the server runs
 * from its sources (tests), the package's `dist/app`. `undefined` when the app was never built.
 */
export function defaultWebAppDir(): string | undefined {
  const candidates = [new URL('./app/', import.meta.url), new URL('../dist/app/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** Resolves a request path below the app folder, or `undefined` when it would leave it. */
export function webAppFile(appDir: string, requestPath: string): string | undefined {
  let relative: string;
  try {
    relative = decodeURIComponent(requestPath);
  } catch {
    return undefined;
  }
  if (relative.includes('\0')) return undefined;
  if (relative === '' || relative.endsWith('/')) relative += 'index.html';
  const root = normalize(appDir.endsWith(sep) ? appDir : appDir + sep);
  const file = normalize(join(root, relative));
  return file.startsWith(root) ? file : undefined;
}

function notFound(reply: FastifyReply, message: string) {
  return reply.code(404).send({ statusCode: 404, error: 'Not Found', message });
}

/**
 * Serves the web app's static files under `/app/` without a key (the page asks the user for one and
 * sends it with every API call). `appDir` undefined: `/app/` answers 404 saying how to build it.
 */
export function registerWebApp(app: FastifyInstance, appDir: string | undefined): void {
  const serve = async (path: string, reply: FastifyReply) => {
    if (!appDir) return notFound(reply, 'the web app is not built: run `pnpm build` in the repository');
    const file = webAppFile(appDir, path);
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) return notFound(reply, `no file ${WEB_APP_PATH}${path}`);
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    return reply
      .header('content-type', type)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(await readFile(file));
  };
  // The router ignores trailing slashes, so this route answers both `/app` and `/app/`; the page's
  // relative URLs need the slash.
  app.get('/app', { config: { public: true } }, (req, reply) =>
    req.url.split('?')[0]?.endsWith('/') ? serve('', reply) : reply.redirect(WEB_APP_PATH, 301),
  );
  app.get<{ Params: { '*': string } }>('/app/*', { config: { public: true } }, (req, reply) =>
    serve(req.params['*'], reply),
  );
}
