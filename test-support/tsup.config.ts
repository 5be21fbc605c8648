import { defineConfig } from 'tsup';

// Built so packages' typechecks read declarations (a source file would fall outside their rootDir);
// vitest reads the source through the alias in vitest.config.ts.
export default defineConfig({
  entry: ['src/browser.ts', 'src/no-bundler.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
});
