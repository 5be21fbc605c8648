import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['core', 'dicom', 'segmentation', 'client', 'cli', 'server'];
const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import sibling packages from source, so no build is needed to run them. Subpath exports
// (`@datamint/core/internal`) come first: a bare package alias would also match them as a prefix.
const subpaths: Record<string, string> = {
  '@datamint/core/internal/node': 'packages/core/src/internal-node.ts',
  '@datamint/core/internal': 'packages/core/src/internal.ts',
  '@datamint/test-support/browser': 'test-support/src/browser.ts',
  '@datamint/test-support/no-bundler': 'test-support/src/no-bundler.ts',
};
// Private workspace packages with tests of their own, outside packages/; and `scripts`, whose tests
// run the repository's own checks (import cycles) so that `pnpm test` fails on them.
const privateProjects = ['quickstart', 'scripts'];
const alias = [
  ...Object.entries(subpaths).map(([find, file]) => ({ find, replacement: `${root}${file}` })),
  ...packages.map((name) => ({
    find: new RegExp(`^@datamint/${name}$`),
    replacement: `${root}packages/${name}/src/index.ts`,
  })),
];

export default defineConfig({
  test: {
    projects: [...packages.map((name) => `packages/${name}`), ...privateProjects].map((dir) => ({
      resolve: { alias },
      test: {
        name: dir.replace(/^packages\//, ''),
        root: `${root}${dir}`,
        include: ['test/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 60_000,
      },
    })),
    passWithNoTests: true,
    globalSetup: [`${root}scripts/vitest-temp-root.ts`],
    // .ci/run asks for a JSON report to print its closing `N passed, N failed` line.
    reporters: process.env.VITEST_JSON_REPORT ? ['default', 'json'] : ['default'],
    outputFile: process.env.VITEST_JSON_REPORT ? { json: process.env.VITEST_JSON_REPORT } : undefined,
  },
});
