#!/usr/bin/env node
// Type-checks every TypeScript example in the READMEs, and runs the ones marked runnable.
//
// A fenced block opened with ```ts example (or ```typescript example) is a complete example: it is
// compiled as a module of its own against the packages' sources (strict, Node types), so a README that
// drifts from the API fails CI. Blocks without the mark are fragments (a signature, a few lines that
// assume earlier ones) and are shown only. A block opened with ```ts example run is also executed with
// tsx, from a scratch folder, against a local datamint-server this script starts (DATAMINT_API_URL and
// DATAMINT_API_KEY point at it), with ../shared/data reachable as $DATAMINT_EXAMPLE_DATA.
//
//   node scripts/readme-examples.mjs          type-check and run
//   node scripts/readme-examples.mjs --list   print the examples found
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, '.tmp', 'readme-examples');
const packages = readdirSync(join(root, 'packages'));

/** Every marked TypeScript example of one markdown file, with the line its code starts on. */
export function extractExamples(markdown, file) {
  const examples = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const flags = open[3].trim().split(/\s+/).filter(Boolean);
    const body = [];
    const start = i + 1;
    for (i = start; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (!flags.includes('example')) continue;
    examples.push({ file, line: start + 1, run: flags.includes('run'), code: body.join('\n') });
  }
  return examples;
}

function readmes() {
  return ['README.md', ...packages.map((p) => join('packages', p, 'README.md'))].filter((f) => {
    try {
      readFileSync(join(root, f));
      return true;
    } catch {
      return false;
    }
  });
}

function exampleName(example, index) {
  return `${example.file.replace(/[/\\.]/g, '_')}_${index}.ts`;
}

function typecheck(examples) {
  const paths = Object.fromEntries(
    packages.flatMap((p) => [
      [`@datamint/${p}`, [join(root, 'packages', p, 'src', 'index.ts')]],
      [`@datamint/${p}/*`, [join(root, 'packages', p, 'src', '*')]],
    ]),
  );
  const tsconfig = {
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: {
      noEmit: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      lib: ['ES2023', 'DOM', 'ESNext.Disposable'],
      baseUrl: root,
      paths,
    },
    // Packages declare types for their untyped dependencies in .d.ts files under src.
    include: [
      ...examples.map((e, i) => exampleName(e, i)),
      join(root, 'packages', '*', 'src', '**', '*.d.ts'),
    ],
  };
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(work, 'tsconfig.json')], {
      cwd: work,
      encoding: 'utf8',
    });
    return [];
  } catch (error) {
    // Point each diagnostic at the README line it comes from.
    const byName = new Map(examples.map((e, i) => [exampleName(e, i), e]));
    return String(error.stdout)
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const m = /^([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
        const example = m && byName.get(m[1].split(/[/\\]/).pop());
        if (!example) return line;
        return `${example.file}:${example.line + Number(m[2]) - 1}:${m[3]} ${m[4]}`;
      });
  }
}

async function startServer(dataDir) {
  const bin = join(root, 'packages', 'server', 'dist', 'bin.js');
  const child = spawn(
    process.execPath,
    [bin, '--port', '0', '--data-dir', dataDir, '--api-key', 'readme-example-key'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`datamint-server exited with ${code} before listening`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

function runExample(example, index, env) {
  const dir = join(work, `run-${index}`);
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync(
      join(root, 'node_modules', '.bin', 'tsx'),
      ['--tsconfig', join(work, 'tsconfig.json'), join(work, exampleName(example, index))],
      { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return undefined;
  } catch (error) {
    return `${example.file}:${example.line}: the example failed when run:\n${error.stderr || error.stdout}`;
  }
}

async function main() {
  const examples = readmes().flatMap((f) => extractExamples(readFileSync(join(root, f), 'utf8'), f));
  if (process.argv.includes('--list')) {
    for (const e of examples) console.log(`${e.file}:${e.line}${e.run ? ' (run)' : ''}`);
    return;
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Each example is a module of its own: top-level await works and names do not collide.
  for (const [i, e] of examples.entries()) {
    writeFileSync(join(work, exampleName(e, i)), `${e.code}\nexport {};\n`);
  }
  const problems = typecheck(examples);
  for (const p of problems) console.error(p);
  console.log(`readme examples: ${examples.length} type-checked, ${problems.length ? 'with errors' : 'ok'}`);
  let failedRuns = 0;
  const runnable = examples.map((e, i) => [e, i]).filter(([e]) => e.run);
  if (runnable.length > 0 && problems.length === 0) {
    const server = await startServer(join(work, 'server-data'));
    try {
      const env = {
        DATAMINT_API_URL: server.url,
        DATAMINT_API_KEY: 'readme-example-key',
        DATAMINT_EXAMPLE_DATA: join(root, '..', 'shared', 'data'),
      };
      for (const [e, i] of runnable) {
        const failure = runExample(e, i, env);
        if (failure) {
          failedRuns++;
          console.error(failure);
        }
      }
    } finally {
      server.stop();
    }
    console.log(
      `readme examples: ${runnable.length - failedRuns} of ${runnable.length} runnable examples ran`,
    );
  }
  if (problems.length > 0 || failedRuns > 0) process.exitCode = 1;
}

await main();
