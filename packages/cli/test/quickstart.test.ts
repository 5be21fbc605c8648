import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './helpers/cli';

const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;

describe('pnpm quickstart', () => {
  it('runs the whole tour against the embedded server and passes every check', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', tsxLoader, join(packageRoot, 'src', 'quickstart.ts')],
          {
            cwd: packageRoot,
            env: {
              ...process.env,
              TSX_TSCONFIG_PATH: join(packageRoot, 'test', 'tsconfig.run.json'),
              NO_COLOR: '1',
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
        });
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
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
    // The throw-away key is printed only with --keep.
    expect(result.stdout).not.toMatch(/DATAMINT_API_KEY=/);
  });
});
