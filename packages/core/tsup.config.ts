import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Both entries share chunks (in CJS too), so an error class has one identity whichever entry
  // created it: `instanceof` holds across `@datamint/core` and `@datamint/core/internal`.
  splitting: true,
});
