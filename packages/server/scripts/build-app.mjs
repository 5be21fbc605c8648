#!/usr/bin/env node
// Builds the web app served under /app/ into dist/app: one ES module bundle (our own @datamint/dicom and
// @datamint/segmentation included, so the page runs them in the browser), the page and its stylesheet.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the app from `packageDir/app` into `outDir` (default `dist/app`). */
export async function buildWebApp(outDir = join(packageDir, 'dist', 'app')) {
  const appDir = join(packageDir, 'app');
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(appDir, 'src', 'main.ts') },
    outdir: outDir,
    // The DICOM decoders (WASM codecs) are imported lazily: split them into chunks the page loads
    // only when a compressed frame needs one.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    // Emscripten codecs mention Node built-ins on a path browsers never take.
    external: ['fs', 'path', 'crypto', 'module', 'url', 'worker_threads', 'node:*'],
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // No source map: it would triple the size of what ships inside the package.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(appDir, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(appDir, 'app.css'), join(outDir, 'app.css'));
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWebApp(process.argv[2]);
}
