#!/usr/bin/env node
// The API reference gate CI runs: builds the typedoc site (docs/api) and fails on any warning, except
// undocumented symbols listed in docs/undocumented.txt — the debt recorded when the gate was added,
// which may only shrink. A new export without a doc comment fails CI; documenting a listed symbol
// without removing it from the list fails too, so the list stays the exact debt.
//
//   node scripts/check-docs.mjs            check
//   node scripts/check-docs.mjs --update   rewrite docs/undocumented.txt from the current sources
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const listFile = join(root, 'docs', 'undocumented.txt');

function runTypedoc() {
  // typedoc writes its warnings to stderr and exits 0 unless told otherwise: read both streams.
  const result = spawnSync(join(root, 'node_modules', '.bin', 'typedoc'), ['--logLevel', 'Warn'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (result.error) throw result.error;
  return `${result.stdout}${result.stderr}`;
}

const output = runTypedoc();
const warnings = output
  .split('\n')
  .filter((line) => /^\[(warning|error)\]/.test(line))
  .map((line) => line.replace(/^\[(warning|error)\]\s*/, ''))
  .filter((line) => !/^Found \d+ errors and \d+ warnings/.test(line));
const undocumented = new Set(
  warnings.map((w) => /^(.*) does not have any documentation$/.exec(w)?.[1]).filter(Boolean),
);
const other = warnings.filter((w) => !/ does not have any documentation$/.test(w));

if (process.argv.includes('--update')) {
  writeFileSync(listFile, `${[...undocumented].sort().join('\n')}\n`);
  console.log(`check-docs: ${undocumented.size} undocumented symbols recorded in docs/undocumented.txt`);
  process.exit(other.length > 0 ? 1 : 0);
}

const allowed = new Set(
  readFileSync(listFile, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean),
);
const added = [...undocumented].filter((s) => !allowed.has(s));
const paid = [...allowed].filter((s) => !undocumented.has(s));
for (const w of other) console.error(`warning: ${w}`);
for (const s of added) console.error(`undocumented: ${s} (add a doc comment: what it is for, its errors)`);
for (const s of paid) console.error(`documented now: ${s} (remove it from docs/undocumented.txt)`);
console.log(
  `check-docs: ${other.length} warnings, ${added.length} new undocumented, ${paid.length} stale entries; ` +
    `${allowed.size - paid.length} symbols of recorded debt remain`,
);
if (other.length > 0 || added.length > 0 || paid.length > 0) process.exit(1);
