#!/usr/bin/env node
// Bundle sizes of @datamint/dicom and @datamint/segmentation per entry point: what a browser app
// bundling one import pays, minified and gzipped, measured with esbuild on the built dist files.
// The WASM codecs (dynamic import on first decode) are left out: a page loads them only when it
// decodes a compressed frame. Usage: node scripts/bundle-size.mjs [--check]
// With --check, fails when an entry point exceeds its limit in scripts/bundle-size-limits.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const limits = JSON.parse(readFileSync(join(root, 'scripts/bundle-size-limits.json'), 'utf8'));

const ENTRIES = [
  ['dicom', 'isDicom'],
  ['dicom', 'parseDicom'],
  ['dicom', 'anonymizeDicom'],
  ['dicom', 'assembleSeries'],
  ['dicom', 'decodeFrame'],
  ['dicom', '*'],
  ['segmentation', 'readMask'],
  ['segmentation', 'splitLabels, encodeMaskPng'],
  ['segmentation', '*'],
];

async function measure(pkg, names) {
  const file = join(root, 'packages', pkg, 'dist/index.js');
  const contents =
    names === '*'
      ? `export * from ${JSON.stringify(file)};`
      : `export { ${names} } from ${JSON.stringify(file)};`;
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external: ['@cornerstonejs/*', 'jpeg-lossless-decoder-js'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const check = process.argv.includes('--check');
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
let failed = 0;
console.log('| package | import | minified | min+gzip | limit (gzip) |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const [pkg, names] of ENTRIES) {
  const key = `${pkg}: ${names}`;
  const { minified, gzip } = await measure(pkg, names);
  const limit = limits[key];
  const over = limit !== undefined && gzip > limit;
  if (check && (limit === undefined || over)) failed++;
  console.log(
    `| @datamint/${pkg} | \`${names === '*' ? 'everything' : `{ ${names} }`}\` | ${kb(minified)} | ${kb(gzip)} | ${limit === undefined ? 'none' : kb(limit)}${over ? ' EXCEEDED' : ''} |`,
  );
}
if (failed > 0) {
  console.error(
    `bundle size: ${failed} entry point(s) over or without a limit (scripts/bundle-size-limits.json)`,
  );
  process.exit(1);
}
