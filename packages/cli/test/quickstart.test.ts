import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli';

describe('pnpm quickstart', () => {
  it('runs the whole tour against the embedded server and passes every check', async () => {
    const result = await runCli([], { script: 'quickstart.ts', env: { NO_COLOR: '1' } });
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
