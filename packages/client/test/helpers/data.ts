import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/data`, never copied into the repository. */
export const dataDir = fileURLToPath(new URL('../../../../../shared/data', import.meta.url));

/**
 * True when the shared data is present. Absent: tests skip with a visible message, except under
 * CI=true where a missing folder is a failure (CI must never pass by skipping).
 */
export function requireData(): boolean {
  if (existsSync(dataDir)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but the test data folder ${dataDir} is missing`);
  console.warn(`[client tests] ${dataDir} is absent: tests that need real files are skipped`);
  return false;
}
