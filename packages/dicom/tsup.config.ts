import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

// dicom-parser's UMD wrapper requires Node's zlib when it loads, for deflated files; we inflate those
// with fflate before dicom-parser sees them, so zlib is replaced by an empty module: a browser has
// no zlib, and the require would throw there as soon as the package is imported.
const noZlib: Plugin = {
  name: 'no-zlib',
  setup(build) {
    build.onResolve({ filter: /^zlib$/ }, () => ({ path: 'zlib', namespace: 'no-zlib' }));
    build.onLoad({ filter: /.*/, namespace: 'no-zlib' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // dicom-parser ships only a UMD build: a browser loading our ESM through an import map cannot
  // import it, so it is bundled (a devDependency, not something users install). Its types come from
  // src/vendor/dicom-parser.d.ts (`paths` in tsconfig.build.json), inlined into our declarations.
  noExternal: ['dicom-parser'],
  esbuildPlugins: [noZlib],
  tsconfig: 'tsconfig.build.json',
});
