// pnpm bench: throughput of @datamint/dicom on 200 generated 512x512 16-bit CT slices, as ratios
// against baselines measured in the same run (plain buffer copy / concatenation, dcmjs) and against
// the Python SDK's figures recorded in the README. `DICOM_BENCH=assemble,codecs` runs only the
// sections named (anonymize, assemble, header, codecs); all of them by default.
import { resolve } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { AssembleInput } from '../src/index';
import { benchAnonymize } from './anonymize';
import { benchAssemble } from './assemble';
import { benchCodecs } from './codecs';
import { ctSlices, SERIES_DIR } from './ct-slices';
import { benchHeaderCost } from './header-cost';

/**
 * The Python SDK 1.4.1 on the development machine (README, Performance): anonymizing 80-140 MB/s,
 * assembling 34 MB/s. Ratios use the fast end, so they are the lower bound.
 */
const PYTHON_SDK = { anonymizeMBps: 140, assembleMBps: 34 } as const;

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

const slices = ctSlices();
if (!slices) process.exit(0);
const { real, make: makeSlice } = slices;
const COUNT = 200;
const sections = process.env.DICOM_BENCH?.split(',');
const want = (section: string) => !sections || sections.includes(section);

// Inputs in a scrambled order so assembly really sorts.
const order = Array.from({ length: COUNT }, (_, i) => (i * 73) % COUNT);
const files = order.map((k) => makeSlice(k));
const names = order.map((k) => `slice${k}.dcm`);
const totalBytes = files.reduce((s, f) => s + f.length, 0);
const MB = totalBytes / 1e6;

console.log(
  `${COUNT} CT slices 512x512 16-bit (headers of ${real.length} real Philips slices, varied positions), ${MB.toFixed(1)} MB\n`,
);

/** Aims of the issue, printed at the end: name, value, target, unit. */
const aims: [string, number, number, string][] = [];

// --- anonymize ---
if (want('anonymize')) {
  const anonymized = benchAnonymize({ files, pythonMBps: PYTHON_SDK.anonymizeMBps });
  aims.push(['anonymize basic / copy', anonymized.ratio, 0.7, '']);
  aims.push(['anonymize basic / Python SDK', anonymized.basicMBps / PYTHON_SDK.anonymizeMBps, 15, 'x']);
}

// --- assemble ---
if (want('assemble')) {
  const assembled = await benchAssemble({
    files,
    names,
    make: makeSlice,
    order,
    gc,
    pythonMBps: PYTHON_SDK.assembleMBps,
  });
  aims.push(['assemble / concatenation', assembled.ratio, 0.7, '']);
  aims.push(['assemble / Python SDK', assembled.assembleMBps / PYTHON_SDK.assembleMBps, 15, 'x']);
}

if (aims.length > 0) {
  console.log('\naims (wall clock)');
  for (const [name, value, target, unit] of aims) {
    console.log(
      `${name.padEnd(34)}${value.toFixed(2)}${unit} (aim >= ${target}${unit}): ${value >= target ? 'met' : 'not met'}`,
    );
  }
}

if (want('header')) benchHeaderCost(files.slice(0, 50));

const inputs: AssembleInput[] = files.map((bytes, i) => ({ name: names[i], bytes }));
if (want('codecs')) await benchCodecs(inputs, resolve(SERIES_DIR, '../../..'));
