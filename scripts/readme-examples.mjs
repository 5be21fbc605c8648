#!/usr/bin/env node
// Type-checks every TypeScript example in the READMEs and in the sources' doc comments, and runs the
// README ones marked runnable.
//
// A fenced block opened with ```ts example (or ```typescript example) is a complete example: it is
// compiled as a module of its own against the packages' sources (strict, Node types), so a README that
// drifts from the API fails CI. Blocks without the mark are fragments (a signature, a few lines that
// assume earlier ones) and are shown only. A block opened with ```ts example run is also executed with
// tsx, from a scratch folder, against a local datamint-server this script starts (DATAMINT_API_URL and
// DATAMINT_API_KEY point at it), with ../shared/data reachable as $DATAMINT_EXAMPLE_DATA.
//
// A ```ts block inside a doc comment's `@example` tag (packages/*/src) is type-checked the same way, so
// the API reference's examples cannot drift either; the main entry points listed in REQUIRED_EXAMPLES
// must have one.
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

/**
 * Every ```ts block inside an `@example` tag of the doc comments of one source file, with the line its
 * code starts on. The comment's leading `*` is stripped; the tag ends at the next tag or the comment end.
 */
export function extractDocExamples(source, file) {
  const examples = [];
  for (const comment of source.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = source.slice(0, comment.index).split('\n').length;
    const lines = comment[0]
      .split('\n')
      .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/$/, ''));
    let inExample = false;
    for (let i = 0; i < lines.length; i++) {
      if (/^@\w+/.test(lines[i])) inExample = /^@example\b/.test(lines[i]);
      if (!inExample || !/^```(ts|typescript)\b/.test(lines[i])) continue;
      const start = i + 1;
      const body = [];
      for (i = start; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
      examples.push({ file, line: firstLine + start, run: false, code: body.join('\n') });
    }
  }
  return examples;
}

/**
 * The main entry points whose doc comment must carry an `@example`: [package, exported name]. A name
 * missing from its package or without an example fails the check.
 */
const REQUIRED_EXAMPLES = [
  ['client', 'APIHandler'],
  ['client', 'Api'],
  ['client', 'ResourcesApi'],
  ['client', 'ProjectsApi'],
  ['client', 'AnnotationsApi'],
  ['client', 'AnnotationWorklistsApi'],
  ['client', 'UsersApi'],
  ['client', 'DatasetsApi'],
  ['core', 'resolveConfig'],
  ['core', 'Paginated'],
  ['dicom', 'parseDicom'],
  ['dicom', 'anonymizeDicom'],
  ['dicom', 'assembleSeries'],
  ['dicom', 'writeDicom'],
  ['dicom', 'geometryOf'],
  ['segmentation', 'readMask'],
  ['segmentation', 'maskFromArray'],
  ['segmentation', 'splitLabels'],
  ['segmentation', 'encodeMaskPng'],
  ['segmentation', 'readNiftiHeader'],
  ['server', 'startServer'],
];

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The declarations of `name` in a package's sources whose doc comment has an `@example`, or why not. */
function missingExample(pkg, name, sources) {
  const declaration = new RegExp(
    `(\\/\\*\\*(?:(?!\\*\\/)[\\s\\S])*\\*\\/\\s*)?export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function\\*?|class|const|interface|type)\\s+${name}\\b`,
  );
  for (const [file, text] of sources) {
    const m = declaration.exec(text);
    if (!m) continue;
    if (m[1]?.includes('@example')) return undefined;
    return `${file}: the doc comment of ${name} (@datamint/${pkg}) has no @example`;
  }
  return `@datamint/${pkg}: no exported declaration of ${name} found (update REQUIRED_EXAMPLES)`;
}

function docSources() {
  return packages.flatMap((p) => {
    const dir = join(root, 'packages', p, 'src');
    try {
      return sourceFiles(dir).map((f) => [p, f.slice(root.length), readFileSync(f, 'utf8')]);
    } catch {
      return [];
    }
  });
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
  const sources = docSources();
  const examples = [
    ...readmes().flatMap((f) => extractExamples(readFileSync(join(root, f), 'utf8'), f)),
    ...sources.flatMap(([, f, text]) => extractDocExamples(text, f)),
  ];
  const missing = REQUIRED_EXAMPLES.map(([pkg, name]) =>
    missingExample(
      pkg,
      name,
      sources.filter(([p]) => p === pkg).map(([, f, text]) => [f, text]),
    ),
  ).filter(Boolean);
  if (process.argv.includes('--list')) {
    for (const e of examples) console.log(`${e.file}:${e.line}${e.run ? ' (run)' : ''}`);
    for (const m of missing) console.log(`missing: ${m}`);
    return;
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Each example is a module of its own: top-level await works and names do not collide.
  for (const [i, e] of examples.entries()) {
    writeFileSync(join(work, exampleName(e, i)), `${e.code}\nexport {};\n`);
  }
  const problems = [...missing, ...typecheck(examples)];
  for (const p of problems) console.error(p);
  const fromDocs = examples.filter((e) => !e.file.endsWith('.md')).length;
  console.log(
    `readme examples: ${examples.length} type-checked (${fromDocs} from doc comments), ` +
      `${problems.length ? 'with errors' : 'ok'}`,
  );
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
