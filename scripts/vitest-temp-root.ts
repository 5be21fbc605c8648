import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest's global setup: every test's scratch folder (`mkdtemp(tmpdir())`, the servers' data
 * folders, the CLI's children) goes into one folder per run, removed when the run ends. Test files
 * that forget to remove what they made no longer leave it behind, run after run.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const run = mkdtempSync(join(tmpdir(), 'datamint-tests-'));
  // As open as the system's temp folder: some tests run the CLI as an unprivileged user.
  chmodSync(run, 0o1777);
  // Read by os.tmpdir() at each call, in this process and in the workers and children it starts.
  process.env.TMPDIR = run;
  return () => {
    rmSync(run, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
