import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
// Absolute, because `--import tsx` would be resolved from the child's working directory.
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;

/** Runs the quickstart from source in a child process, as `pnpm quickstart` runs its build. */
function runQuickstart(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('DATAMINT_') && key !== 'FORCE_COLOR') env[key] = value;
  }
  env.NO_COLOR = '1';
  env.TSX_TSCONFIG_PATH = join(packageRoot, 'test', 'tsconfig.run.json');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, join(packageRoot, 'src', 'quickstart.ts')],
      { cwd: packageRoot, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('pnpm quickstart', () => {
  it('runs the whole tour against the embedded server and passes every check', async () => {
    const result = await runQuickstart();
    expect(result.stderr).not.toContain('Quickstart failed');
    expect(result.code).toBe(0);
    for (const check of [
      'ok  datamint upload exited with code 0',
      'ok  the 8 slices became one resource',
      'ok  one multi-frame DICOM with 8 frames',
      'ok  no patient identifier left in the file',
      'ok  Lesion segmentation on frames 2, 3, 4, 5',
      'ok  Bone segmentation on all 8 frames',
      'ok  line annotation on frame 3',
    ]) {
      expect(result.stdout).toContain(check);
    }
    expect(result.stdout).toMatch(/server\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/resource\s+[0-9a-f-]{36}/);
    expect(result.stdout).toMatch(/web app\s+http:\/\/127\.0\.0\.1:\d+\/app\/#\/resources\/[0-9a-f-]{36}/);
    // The throw-away key is printed only with --keep.
    expect(result.stdout).not.toMatch(/DATAMINT_API_KEY=/);
  });
});
