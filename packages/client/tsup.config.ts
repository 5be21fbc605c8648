import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

// The browser build shares the upload code with Node's. The few Node built-ins that code imports
// are mapped to src/browser/node: `path` is POSIX (pathe), `crypto` is Web Crypto, and everything
// that would touch a file system refuses with BrowserUnsupportedError (a typed error naming the
// operation), so the page never touches `fs` and a path given in a page fails clearly.
const shims: Record<string, string> = {
  'node:path': 'path.ts',
  'node:crypto': 'crypto.ts',
  'node:fs': 'fs.ts',
  'node:fs/promises': 'fs-promises.ts',
  'node:os': 'os.ts',
  'node:stream': 'stream.ts',
  'node:stream/promises': 'stream-promises.ts',
  'node:zlib': 'zlib.ts',
  // Core's Node-only plumbing (making folders) is left to the page's bundler like the rest of
  // @datamint/core, which would pull node:fs into the page: it gets a stand-in too.
  '@datamint/core/internal/node': 'core-internal-node.ts',
};
const browserBuiltins: Plugin = {
  name: 'browser-builtins',
  setup(build) {
    build.onResolve(
      {
        filter:
          /^(node:)?(path|crypto|fs|fs\/promises|os|stream|stream\/promises|zlib)$|^node:|^@datamint\/core\/internal\/node$/,
      },
      (args) => {
        const name =
          args.path.startsWith('node:') || args.path.startsWith('@') ? args.path : `node:${args.path}`;
        const shim = shims[name];
        if (!shim) return { errors: [{ text: `${args.path} has no browser stand-in (src/browser/node)` }] };
        return { path: fileURLToPath(new URL(`./src/browser/node/${shim}`, import.meta.url)) };
      },
    );
  },
};

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: ['src/browser.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    // pathe (the POSIX path stand-in) is bundled; @datamint/* and fast-png are resolved by the
    // page's bundler (to their browser builds).
    // core's Node-only subpath is not left to the page: it resolves to its stand-in above.
    noExternal: ['pathe', /^@datamint\/core\/internal\/node$/],
    esbuildPlugins: [browserBuiltins],
    // Keep `node:` on imports so the stand-ins above see them (tsup would strip it and externalise).
    removeNodeProtocol: false,
  },
]);
