import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `<root>/test-support/src/no-bundler.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `{ imports }` of a `<script type="importmap">`. */
export interface ImportMap {
  imports: Record<string, string>;
}

/** A loopback static server for a no-bundler page: the packages' dist, their dependencies, test data. */
export interface NoBundlerSite {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Maps `@datamint/<name>` and every bare specifier their built files import to served URLs. */
  importMap: ImportMap;
  /** An HTML page with the import map and nothing else, at `${origin}/`. */
  html: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

// `import x from 'a'`, `export * from 'a'`, `import 'a'`, `import('a')`: the specifiers a browser
// resolves. Specifiers have no spaces, which keeps prose in comments and strings out.
const SPECIFIER =
  /(?:^|[;\n}])\s*(?:import|export)\b[^'"`;]*?from\s*["']([^"'\s]+)["']|(?:^|[;\n])\s*import\s*["']([^"'\s]+)["']|\bimport\(\s*["']([^"'\s]+)["']\s*\)/g;

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The file an `exports` entry selects under the browser's conditions. */
function pickTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    const record = entry as Record<string, unknown>;
    for (const condition of ['browser', 'import', 'default']) {
      if (condition in record) {
        const target = pickTarget(record[condition]);
        if (target) return target;
      }
    }
  }
  return undefined;
}

/** The file a browser should load for `specifier`, imported from a file in `fromDir`. */
function resolveBare(specifier: string, fromDir: string): string {
  const name = packageNameOf(specifier);
  let dir = fromDir;
  let packageDir: string | undefined;
  while (!packageDir) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) packageDir = realpathSync(candidate);
    else if (dirname(dir) === dir) throw new Error(`cannot resolve ${specifier} from ${fromDir}`);
    else dir = dirname(dir);
  }
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown> | string;
    module?: string;
    main?: string;
  };
  const subpath = `.${specifier.slice(name.length)}`;
  let target: string | undefined;
  if (manifest.exports !== undefined) {
    const exportsMap =
      typeof manifest.exports === 'string' || !Object.keys(manifest.exports).some((k) => k.startsWith('.'))
        ? { '.': manifest.exports }
        : manifest.exports;
    target = pickTarget((exportsMap as Record<string, unknown>)[subpath]);
  } else if (subpath === '.') {
    target = manifest.module ?? manifest.main ?? 'index.js';
  } else {
    target = subpath;
  }
  if (!target) throw new Error(`${specifier}: no browser/import export in ${packageDir}`);
  return resolve(packageDir, target);
}

/**
 * Every bare specifier reachable from `entry` (through its relative imports too), resolved to a
 * file the way a page's import map must resolve it.
 */
function collectBare(entry: string, found: Map<string, string>, seen = new Set<string>()): void {
  if (seen.has(entry)) return;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier.startsWith('.')) {
      const file = resolve(dirname(entry), specifier);
      if (existsSync(file)) collectBare(file, found, seen);
    } else if (!specifier.includes(':') && !found.has(specifier)) {
      const file = resolveBare(specifier, dirname(entry));
      found.set(specifier, file);
      collectBare(file, found, seen);
    }
  }
}

/** URL path of a file on disk: every file is served by its absolute path, under `/fs`. */
function urlOf(file: string): string {
  return `/fs${file.split(sep).join('/')}`;
}

/**
 * Starts a static server on 127.0.0.1 for a page that loads `@datamint/<name>` (for each of
 * `packages`) from `packages/<name>/dist/index.js` through an import map, with every dependency
 * those files import resolved from node_modules (the `browser`/`import` export conditions).
 * Only files under the repository and `extraRoots` are served.
 */
export async function startNoBundlerSite(
  packages: readonly string[],
  extraRoots: readonly string[] = [],
): Promise<NoBundlerSite> {
  const imports: Record<string, string> = {};
  const bare = new Map<string, string>();
  for (const name of packages) {
    const entry = join(REPO_ROOT, 'packages', name, 'dist', 'index.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`);
    imports[`@datamint/${name}`] = urlOf(entry);
    collectBare(entry, bare);
  }
  for (const [specifier, file] of bare) imports[specifier] = urlOf(file);
  const importMap = { imports };
  const html = `<!doctype html><html><head><meta charset="utf-8"><script type="importmap">${JSON.stringify(importMap)}</script></head><body></body></html>`;
  const roots = [REPO_ROOT, ...extraRoots].map((r) => realpathSync(r));
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'] }).end(html);
      return;
    }
    const file = path.startsWith('/fs/') ? resolve(path.slice(3)) : undefined;
    const real = file && existsSync(file) ? realpathSync(file) : undefined;
    if (!real || !roots.some((root) => real.startsWith(root + sep) || real === root)) {
      res.writeHead(404).end();
      return;
    }
    const body = await readFile(real);
    res.writeHead(200, { 'content-type': TYPES[extname(real)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    importMap,
    html,
    close: () => new Promise<void>((ok, fail) => server.close((e) => (e ? fail(e) : ok()))),
  };
}

/** The URL a no-bundler site serves `file` at. */
export function servedUrl(site: NoBundlerSite, file: string): string {
  return `${site.origin}${urlOf(realpathSync(file))}`;
}
