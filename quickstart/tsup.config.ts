import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/quickstart.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
