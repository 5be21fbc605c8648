import { defineConfig } from 'tsup';

// Entries share chunks (in CJS too), so an error class has one identity whichever entry created
// it: `instanceof` holds across `@datamint/core` and `@datamint/core/internal`.
const shared = { dts: true, sourcemap: true, splitting: true } as const;

export default defineConfig([
  {
    ...shared,
    // ESM: Node's entry, the browser's (fetch, no node: imports) and the sibling plumbing.
    entry: ['src/index.ts', 'src/internal.ts', 'src/internal-node.ts', 'src/browser.ts'],
    format: ['esm'],
    clean: true,
    target: ['node20', 'chrome120', 'firefox120', 'safari17'],
  },
  {
    ...shared,
    entry: ['src/index.ts', 'src/internal.ts', 'src/internal-node.ts'],
    format: ['cjs'],
    target: 'node20',
  },
]);
