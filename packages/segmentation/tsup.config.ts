import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // nifti-reader-js is ESM-only: the CJS build must carry it, or require() fails at run time.
  // Bundled, it is a devDependency, not something users install.
  noExternal: ['nifti-reader-js'],
});
