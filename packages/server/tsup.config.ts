import { defineConfig } from 'tsup';

export default defineConfig({
  // The render worker is its own entry: worker threads load it by file next to the bundle.
  entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'render-worker': 'src/render/render-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // web-app.ts finds the built app next to the module through import.meta.url, in the CJS build too.
  shims: true,
});
