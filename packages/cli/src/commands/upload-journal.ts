import { createHash } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { UploadRequest } from './upload-request';

/**
 * Where `datamint upload` records the outcome of each resource of one command: a file in the
 * config folder named after what was asked (paths as absolute, the options that change what is
 * sent, and the server), so re-running the same command in the same folder finds it again.
 */
export function journalPath(
  configFile: string,
  request: UploadRequest,
  cwd: string,
  rootUrl: string,
): string {
  const { yes: _yes, dryRun: _dry, resume: _resume, check: _check, concurrency: _c, ...sent } = request;
  const identity = JSON.stringify({
    ...sent,
    depth: String(request.depth),
    paths: request.paths.map((p) => resolve(cwd, p)),
    rootUrl,
  });
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 24);
  return join(dirname(configFile), 'uploads', `${digest}.jsonl`);
}

/** Forgets a journal: a run without `--resume` starts afresh, and a run where everything landed needs none. */
export async function removeJournal(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Whether an earlier run of the same command left its journal: it was interrupted or some files failed. */
export async function journalExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
