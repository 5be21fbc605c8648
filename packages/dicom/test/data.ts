import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/data`, where the real test files live (never copied into the repo). */
export const DATA_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data');
export const DICOM_DIR = join(DATA_DIR, 'dicom');
export const STANDARD_DIR = join(DATA_DIR, 'dicom-standard');

export const hasData = existsSync(DICOM_DIR);

/**
 * Tests that need the shared data call this: absent data skips visibly on a developer clone and
 * fails under CI=true so CI never passes by skipping.
 */
export function requireData(): boolean {
  if (hasData) return true;
  if (process.env.CI === 'true') throw new Error(`shared test data missing at ${DATA_DIR} (CI=true)`);
  console.warn(`SKIPPED: shared test data not found at ${DATA_DIR}`);
  return false;
}

export function* walkFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walkFiles(p);
    else yield p;
  }
}

/** Every file under data/dicom with its path relative to it. */
export function dicomFiles(): { path: string; rel: string }[] {
  if (!hasData) return [];
  return [...walkFiles(DICOM_DIR)].map((path) => ({ path, rel: relative(DICOM_DIR, path) }));
}

export function read(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DICOM_DIR, rel)));
}

/** Finds a byte sequence; -1 when absent. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
  );
}
