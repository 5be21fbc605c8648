import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // nifti-reader-js ships ESM only: bundling it keeps the CJS entry loadable. Bundled, it is a
  // devDependency, not something users install.
  noExternal: ['nifti-reader-js'],
});
