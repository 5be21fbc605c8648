import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/data`, the real public test files (never copied into the repository). */
export const SHARED_DATA = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));

/** True when the shared data exist; throws under CI so CI never passes by skipping. */
export function hasSharedData(): boolean {
  if (existsSync(SHARED_DATA)) return true;
  if (process.env.CI === 'true')
    throw new Error(`shared test data missing at ${SHARED_DATA} (required when CI=true)`);
  console.warn(`[skip] shared test data not found at ${SHARED_DATA}: tests using real files are skipped`);
  return false;
}

export function dataPath(relative: string): string {
  return `${SHARED_DATA}${relative}`;
}
