import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedData } from './cli';

/** Real files from ../shared/data: skipped with a message when absent, a failure under CI. */
export function sharedDataAvailable(): boolean {
  const present = existsSync(join(sharedData, 'MANIFEST.md'));
  if (!present) {
    if (process.env.CI === 'true')
      throw new Error(`CI=true but the shared test data is missing at ${sharedData}`);
    console.warn(`[cli tests] ${sharedData} is absent: tests that need real DICOM/PNG files are skipped`);
  }
  return present;
}

export const ct5n = join(sharedData, 'dicom', 'series', 'pydicom_ct5n');
export const pngGray = join(sharedData, 'png', 'pngsuite', 'basn0g08.png');
export const pngColor = join(sharedData, 'png', 'pngsuite', 'basn2c08.png');
