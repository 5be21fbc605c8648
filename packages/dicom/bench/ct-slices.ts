import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDicom, type ParsedDicom, parseDicom, writeDicom } from '../src/index';

/** The real Philips CT series the benches build their slices from. */
export const SERIES_DIR = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../../../shared/data/dicom/series/dcm_qa_ct_philips_S2010',
);

/** Bench inputs: `count` slices of one series, a real CT header, the real slices' pixels, varied positions. */
export interface CtSlices {
  /** The real 512x512 16-bit slices the generated ones take their pixels from. */
  real: ParsedDicom[];
  /** Slice `k` (0-based) of the generated series, as a new Part 10 file. */
  make(k: number): Uint8Array;
}

/** Generated CT slices, or undefined (with a message) when the shared data is absent. */
export function ctSlices(): CtSlices | undefined {
  if (!existsSync(SERIES_DIR)) {
    console.log(`SKIPPED: ${SERIES_DIR} not found`);
    return undefined;
  }
  const real = readdirSync(SERIES_DIR)
    .map((f) => new Uint8Array(readFileSync(join(SERIES_DIR, f))))
    .filter((b) => isDicom(b))
    .map((b) => parseDicom(b))
    .filter((p) => p.number('Rows') === 512 && p.number('BitsAllocated') === 16);
  const template = real[0];
  const make = (k: number): Uint8Array => {
    const z = (-400 + 1.25 * k).toFixed(2);
    return writeDicom(template, [
      { tag: 'ImagePositionPatient', action: 'set', value: ['-115.5', '-1.85', z] },
      { tag: 'SliceLocation', action: 'set', value: z },
      { tag: 'InstanceNumber', action: 'set', value: String(k + 1) },
      { tag: 'SOPInstanceUID', action: 'set', value: `2.25.${9000000 + k}` },
      { tag: 'PixelData', action: 'set', vr: 'OW', value: real[k % real.length].frame(0) },
    ]);
  };
  return { real, make };
}
