import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PROJECT = fileURLToPath(new URL('./browser-types/tsconfig.json', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const DIST = ['../dist/index.d.ts', '../../segmentation/dist/index.d.ts'].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

// The published declarations of both packages must compile where there is no @types/node and
// library declarations are checked: a web app's tsconfig. Node's Buffer (dicom-parser's types
// used it) or any other Node-only type fails this.
describe('browser-only TypeScript project', () => {
  it('compiles against the built declarations with no Node types and skipLibCheck off', async () => {
    for (const file of DIST) expect(existsSync(file), `${file}: run pnpm build first`).toBe(true);
    const result = await promisify(execFile)(process.execPath, [TSC, '-p', PROJECT]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });
});
