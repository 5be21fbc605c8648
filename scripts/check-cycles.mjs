#!/usr/bin/env node
// Finds import cycles between the source files of each package (packages/*/src/**/*.ts), type-only
// imports included: a type cycle is still two modules that cannot be understood, moved or split one
// without the other, and it turns into a load-order bug the day one of its imports carries a value.
// Dependency-free on purpose: a regex reads the `import … from` / `export … from` / `import '…'`
// statements (they start a line in formatted code, so examples in comments are not read), relative
// specifiers are resolved to files, and Tarjan's algorithm finds the strongly connected components.
// Imports of other packages (`@datamint/…`) are not followed: a cycle between packages fails the build.
//
//   node scripts/check-cycles.mjs              print each cycle; exit 1 when one is not known (below)
//   node scripts/check-cycles.mjs --json       the same as JSON: [{ files, cycle, known }], files sorted
//   node scripts/check-cycles.mjs --root DIR   check DIR/packages/*/src instead of this repository
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? resolve(args[rootAt + 1] ?? '.') : fileURLToPath(new URL('..', import.meta.url));
const asJson = args.includes('--json');

// `import x from`, `import type { a,\n b } from`, `import * as ns from`, `import x, { y } from`,
// `export { a } from`, `export type { a } from`, `export * from`, `export * as ns from`.
const FROM =
  /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+)\s*from\s*['"]([^'"\n]+)['"]/gm;
// `import './side-effect';`
const BARE = /^[ \t]*import\s*['"]([^'"\n]+)['"]/gm;

/**
 * The cycle the client's entity API had when the check was added. Its value imports alone form no
 * cycle; it closes through type imports of classes (an entity names the API group or the entity it
 * links to: `ResourcesApi`, `ProjectsApi`, `AnnotationEntity`, `ResourceEntity`), which moving a
 * type to another module does not break: interfaces in place of those class types would. This list
 * may only shrink: a cycle among fewer of these files passes, one that reaches any other file fails.
 */
export const KNOWN_CYCLES = [
  [
    'packages/client/src/api/annotation-images.ts',
    'packages/client/src/api/annotation-segmentations.ts',
    'packages/client/src/api/annotations.ts',
    'packages/client/src/api/entities/annotation.ts',
    'packages/client/src/api/entities/project.ts',
    'packages/client/src/api/entities/resource.ts',
    'packages/client/src/api/projects.ts',
    'packages/client/src/api/resource-upload.ts',
    'packages/client/src/api/resources.ts',
  ],
];

/** Every `.ts` file (not `.d.ts`) under `dir`, depth first. */
function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The specifiers a file imports from or re-exports. */
export function specifiers(text) {
  return [...text.matchAll(FROM), ...text.matchAll(BARE)].map((m) => m[1]);
}

/** The file a relative specifier names (`./x`, `./x.js`, `./x/index`), or undefined. */
function resolveRelative(from, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base,
    `${base}.ts`,
    base.replace(/\.(m?js)$/, (_, ext) => (ext === 'mjs' ? '.mts' : '.ts')),
    join(base, 'index.ts'),
  ];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
}

/** Strongly connected components of more than one file, or of one file importing itself. */
function cyclicComponents(graph) {
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  // Iterative: a long import chain must not overflow the stack.
  for (const start of graph.keys()) {
    if (indexOf.has(start)) continue;
    const work = [[start, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, next] = frame;
      if (next === 0) {
        indexOf.set(node, index);
        low.set(node, index);
        index++;
        stack.push(node);
        onStack.add(node);
      }
      const edges = graph.get(node);
      if (next < edges.length) {
        frame[1]++;
        const to = edges[next];
        if (!indexOf.has(to)) work.push([to, 0]);
        else if (onStack.has(to)) low.set(node, Math.min(low.get(node), indexOf.get(to)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === indexOf.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1 || edges.includes(node)) components.push(component);
      }
    }
  }
  return components;
}

/** One concrete cycle through a component, from its first file back to it (shortest, by BFS). */
function cycleThrough(graph, members) {
  const inside = new Set(members);
  const [first] = members;
  const previous = new Map();
  const queue = [first];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const to of graph.get(node)) {
      if (!inside.has(to)) continue;
      if (to === first) {
        const path = [node];
        while (path[0] !== first) path.unshift(previous.get(path[0]));
        return [...path, first];
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [first, first];
}

/** The cycles of `root`'s packages, each as its sorted files and one cycle through them (repo-relative). */
export function findCycles(root) {
  const packagesDir = join(root, 'packages');
  const graph = new Map();
  for (const pkg of existsSync(packagesDir) ? readdirSync(packagesDir).sort() : []) {
    const src = join(packagesDir, pkg, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      const targets = specifiers(readFileSync(file, 'utf8'))
        .map((s) => resolveRelative(file, s))
        .filter((t) => t !== undefined);
      graph.set(file, [...new Set(targets)]);
    }
  }
  // A resolved import of a file outside packages/*/src (none today) still needs a node.
  for (const targets of [...graph.values()]) for (const t of targets) if (!graph.has(t)) graph.set(t, []);
  const name = (file) => relative(root, file).split(sep).join('/');
  return cyclicComponents(graph)
    .map((members) => {
      const files = [...members].sort();
      const named = files.map(name);
      const known = KNOWN_CYCLES.some((group) => named.every((f) => group.includes(f)));
      return { files: named, cycle: cycleThrough(graph, files).map(name), known };
    })
    .sort((a, b) => (a.files[0] < b.files[0] ? -1 : 1));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cycles = findCycles(root);
  const fresh = cycles.filter((c) => !c.known);
  if (asJson) console.log(JSON.stringify(cycles, null, 2));
  else if (cycles.length === 0) console.log('no import cycles');
  else {
    console.log(
      `${cycles.length} import cycle${cycles.length === 1 ? '' : 's'} (files that import each other), ${fresh.length} not known:`,
    );
    for (const { files, cycle, known } of cycles) {
      console.log(`\n  ${known ? '(known) ' : ''}${cycle.join('\n    -> ')}`);
      if (files.length > cycle.length - 1)
        console.log(`  (${files.length} files in all: ${files.join(', ')})`);
    }
  }
  process.exit(fresh.length === 0 ? 0 : 1);
}
