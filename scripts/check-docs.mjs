#!/usr/bin/env node
// The API reference gate CI runs: builds the typedoc site (docs/api) and fails on any warning, except
// undocumented symbols listed in docs/undocumented.txt — the debt recorded when the gate was added,
// which may only shrink. A new export without a doc comment fails CI. A listed symbol that has been
// documented is only reported (whoever documents a symbol in another package must not turn CI red);
// `--update` drops it, and `--strict` makes it a failure too, so the list can be held to the exact debt.
//
//   node scripts/check-docs.mjs              check
//   node scripts/check-docs.mjs --strict     check, and fail on listed symbols that are documented now
//   node scripts/check-docs.mjs --update     rewrite docs/undocumented.txt from the current sources
//   node scripts/check-docs.mjs --self-test  prove the gate bites: run typedoc on a scratch package
//                                            with one documented and one undocumented export
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const listFile = join(root, 'docs', 'undocumented.txt');
const typedocBin = join(root, 'node_modules', '.bin', 'typedoc');

/** Runs typedoc with extra arguments and returns everything it printed. */
function runTypedoc(args, cwd) {
  // typedoc writes its warnings to stderr and exits 0 unless told otherwise: read both streams.
  const result = spawnSync(typedocBin, ['--logLevel', 'Warn', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (result.error) throw result.error;
  return `${result.stdout}${result.stderr}`;
}

/**
 * Splits typedoc's output into undocumented symbols and every other warning. Colour codes are stripped
 * (a terminal that forces colour must not make the gate blind), and typedoc's closing tally is dropped.
 */
export function classify(output) {
  const warnings = output
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are control characters
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((line) => /^\[(warning|error)\]/.test(line))
    .map((line) => line.replace(/^\[(warning|error)\]\s*/, ''))
    .filter((line) => !/^Found \d+ errors and \d+ warnings/.test(line));
  const undocumented = new Set(
    warnings.map((w) => /^(.*) does not have any documentation$/.exec(w)?.[1]).filter(Boolean),
  );
  const other = warnings.filter((w) => !/ does not have any documentation$/.test(w));
  return { undocumented, other };
}

/** Compares the undocumented symbols found with the recorded debt. */
export function compare(undocumented, allowed) {
  return {
    added: [...undocumented].filter((s) => !allowed.has(s)),
    paid: [...allowed].filter((s) => !undocumented.has(s)),
  };
}

function readList() {
  return new Set(
    readFileSync(listFile, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

function check() {
  const { undocumented, other } = classify(runTypedoc([], root));
  if (process.argv.includes('--update')) {
    mkdirSync(join(root, 'docs'), { recursive: true });
    writeFileSync(listFile, undocumented.size ? `${[...undocumented].sort().join('\n')}\n` : '');
    for (const w of other) console.error(`warning: ${w}`);
    console.log(`check-docs: ${undocumented.size} undocumented symbols recorded in docs/undocumented.txt`);
    return other.length === 0;
  }
  const allowed = readList();
  const { added, paid } = compare(undocumented, allowed);
  for (const w of other) console.error(`warning: ${w}`);
  for (const s of added) console.error(`undocumented: ${s} (add a doc comment: what it is for, its errors)`);
  for (const s of paid) console.error(`documented now: ${s} (run \`node scripts/check-docs.mjs --update\`)`);
  console.log(
    `check-docs: ${other.length} warnings, ${added.length} new undocumented, ${paid.length} stale entries; ` +
      `${allowed.size - paid.length} symbols of recorded debt remain`,
  );
  const strict = process.argv.includes('--strict');
  return other.length === 0 && added.length === 0 && (!strict || paid.length === 0);
}

// The gate is only worth something if typedoc really reports what it parses: run it on a scratch
// package (same validation settings as typedoc.json) and expect exactly the one undocumented export,
// and a failing comparison against an empty debt list.
function selfTest() {
  const dir = join(root, '.tmp', 'check-docs-self-test');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'src', 'index.ts'),
    [
      '/** Documented: adds two numbers. */',
      'export function documentedAdd(a: number, b: number): number {',
      '  return a + b;',
      '}',
      'export function undocumentedSub(a: number, b: number): number {',
      '  return a - b;',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: join(root, 'tsconfig.base.json'), include: ['src'] }),
  );
  const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8'));
  writeFileSync(
    join(dir, 'typedoc.json'),
    JSON.stringify({
      entryPoints: ['src/index.ts'],
      tsconfig: 'tsconfig.json',
      out: 'out',
      readme: 'none',
      validation: config.packageOptions.validation,
    }),
  );
  const { undocumented, other } = classify(runTypedoc([], dir));
  const found = [...undocumented];
  const problems = [];
  if (!found.some((s) => s.startsWith('undocumentedSub ')))
    problems.push('the undocumented export was not reported');
  if (found.some((s) => s.startsWith('documentedAdd '))) problems.push('the documented export was reported');
  if (found.length !== 1)
    problems.push(`expected 1 undocumented symbol, found ${found.length}: ${found.join('; ')}`);
  if (other.length > 0) problems.push(`unexpected warnings: ${other.join('; ')}`);
  if (compare(undocumented, new Set()).added.length !== 1) problems.push('an empty debt list did not fail');
  if (compare(new Set(), undocumented).paid.length !== 1)
    problems.push('a stale debt entry was not reported');
  // Coloured output must be read the same way.
  const coloured =
    '\u001b[93m[warning]\u001b[0m x (Function), defined in a.ts, does not have any documentation';
  if (!classify(coloured).undocumented.has('x (Function), defined in a.ts,'))
    problems.push('a coloured warning was not recognised');
  rmSync(dir, { recursive: true, force: true });
  for (const p of problems) console.error(`check-docs self-test: ${p}`);
  console.log(`check-docs self-test: ${problems.length === 0 ? 'ok' : 'FAILED'}`);
  return problems.length === 0;
}

const ok = process.argv.includes('--self-test') ? selfTest() : check();
if (!ok) process.exitCode = 1;
