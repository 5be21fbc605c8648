// One-off generator for package skeletons (kept for adding future packages consistently).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

const pkgs = {
  core: {
    desc: 'HTTP transport, configuration, errors, retries and pagination for the Datamint SDK',
    deps: { undici: '7.30.2', yaml: '2.9.1' },
    dev: {},
  },
  dicom: {
    desc: 'DICOM parsing, detection, PS3.15 anonymization, writing, series assembly and patient/pixel coordinates (Node and browser)',
    deps: { 'dicom-parser': '1.8.21', fflate: '0.8.3' },
    dev: { dcmjs: '0.51.1' },
  },
  segmentation: {
    desc: 'Segmentation masks from PNG, NIfTI and typed arrays, split per label and frame, encoded as the PNGs Datamint expects (Node and browser)',
    deps: { 'upng-js': '2.1.0', 'nifti-reader-js': '0.8.0', fflate: '0.8.3' },
    dev: { 'fast-png': '8.0.0' },
  },
  client: {
    desc: 'The Datamint APIHandler for TypeScript: upload, query, annotate, segment and download',
    deps: {
      '@datamint/core': 'workspace:^',
      '@datamint/dicom': 'workspace:^',
      '@datamint/segmentation': 'workspace:^',
      undici: '7.30.2',
    },
    dev: { '@datamint/server': 'workspace:^' },
  },
  cli: {
    desc: 'The datamint command: upload, config, resources, download, projects',
    deps: {
      '@datamint/client': 'workspace:^',
      '@datamint/core': 'workspace:^',
      '@datamint/dicom': 'workspace:^',
      '@datamint/segmentation': 'workspace:^',
      '@datamint/server': 'workspace:^',
      commander: '13.1.0',
      yaml: '2.9.1',
    },
    dev: {},
    bin: { datamint: './dist/bin.js' },
  },
  server: {
    desc: 'A local Datamint-compatible API server (fastify + SQLite) for offline development and end-to-end tests',
    deps: {
      '@datamint/core': 'workspace:^',
      '@datamint/dicom': 'workspace:^',
      '@datamint/segmentation': 'workspace:^',
      fastify: '5.12.8',
      '@fastify/multipart': '10.1.9',
      'better-sqlite3': '12.6.2',
      'jpeg-js': '0.4.4',
      'fast-png': '8.0.0',
      yazl: '3.3.1',
    },
    dev: { '@types/better-sqlite3': '7.6.13', '@types/yazl': '3.3.1', undici: '7.30.2' },
    bin: { 'datamint-server': './dist/bin.js' },
  },
};
for (const [name, p] of Object.entries(pkgs)) {
  const dir = `packages/${name}`;
  mkdirSync(`${dir}/src`, { recursive: true });
  mkdirSync(`${dir}/test`, { recursive: true });
  const json = {
    name: `@datamint/${name}`,
    version: '0.0.0',
    description: p.desc,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    engines: { node: '>=20.19' },
    files: ['dist', 'README.md', 'CHANGELOG.md'],
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.cts',
    exports: {
      '.': {
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
      },
      './package.json': './package.json',
    },
    ...(p.bin ? { bin: p.bin } : {}),
    scripts: {
      build: 'tsup',
      typecheck: 'tsc --noEmit -p tsconfig.json',
      lint: 'publint --strict && attw --pack . --profile node16',
      bench: existsSync(`${dir}/bench`) ? 'node --import tsx bench/index.ts' : 'echo no benchmarks',
    },
    dependencies: p.deps,
    devDependencies: p.dev,
    publishConfig: { access: 'public' },
  };
  writeFileSync(`${dir}/package.json`, JSON.stringify(json, null, 2) + '\n');
  writeFileSync(
    `${dir}/tsconfig.json`,
    JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        compilerOptions: { rootDir: '.', noEmit: true, types: ['node'] },
        include: ['src', 'test', 'bench'],
      },
      null,
      2,
    ) + '\n',
  );
  if (!existsSync(`${dir}/tsup.config.ts`))
    writeFileSync(
      `${dir}/tsup.config.ts`,
      `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'${p.bin ? ", 'src/bin.ts'" : ''}],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
`,
    );
}
