// pnpm bench: throughput of @datamint/dicom on 200 generated 512x512 16-bit CT slices, as ratios
// against baselines measured in the same run (plain buffer copy / concatenation, dcmjs) and against
// the Python SDK's figures recorded in the README. `DICOM_BENCH=assemble,codecs` runs only the
// sections named (anonymize, assemble, header, codecs); all of them by default.
import { resolve } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import dcmjs from 'dcmjs';
import { type AssembleInput, createAnonymizer, parseDicom } from '../src/index';
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
const gc = vm.runInNewContext('gc') as () => void;

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

/** Wall-clock and CPU rates: on the shared 2-core machine the CPU rate moves far less with load. */
interface Rate {
  wall: number;
  cpu: number;
}

function report(label: string, seconds: number, cpuSeconds: number): Rate {
  console.log(
    `${label.padEnd(46)} ${(MB / seconds).toFixed(0).padStart(7)} MB/s  (${(seconds * 1000).toFixed(1)} ms) | ${(MB / cpuSeconds).toFixed(0).padStart(6)} MB per CPU-second`,
  );
  return { wall: MB / seconds, cpu: MB / cpuSeconds };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function time(label: string, rounds: number, fn: () => unknown): Rate {
  fn(); // warm-up
  gc();
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9 / rounds;
  return report(label, seconds, cpuSince(cpu) / rounds);
}

console.log(
  `${COUNT} CT slices 512x512 16-bit (headers of ${real.length} real Philips slices, varied positions), ${MB.toFixed(1)} MB\n`,
);

/** Aims of the issue, printed at the end: name, value, target, unit. */
const aims: [string, number, number, string][] = [];

// --- anonymize ---
if (want('anonymize')) {
  const copy = time('baseline: plain buffer copy', 10, () => {
    for (const f of files) f.slice();
  });
  const header = time('parseDicom headerOnly', 10, () => {
    for (const f of files) parseDicom(f, { headerOnly: true });
  });
  const basic = createAnonymizer({ key: 'bench' });
  const anon = time('anonymize basic (createAnonymizer)', 10, () => {
    for (const f of files) basic.anonymize(f);
  });
  const sdk = createAnonymizer({ profile: 'datamint-sdk' });
  const anonSdk = time('anonymize datamint-sdk', 10, () => {
    for (const f of files) sdk.anonymize(f);
  });
  interface DcmjsAnonymizer {
    data: { DicomMessage: { readFile(b: ArrayBuffer): { dict: object; write(): ArrayBuffer } } };
    anonymizer: { cleanTags(dict: object): void };
  }
  const dj = dcmjs as unknown as DcmjsAnonymizer;
  const dcm = time('baseline: dcmjs read + cleanTags + write', 1, () => {
    for (const f of files) {
      const d = dj.data.DicomMessage.readFile(f.slice().buffer as ArrayBuffer);
      dj.anonymizer.cleanTags(d.dict);
      d.write();
    }
  });
  const ratio = (a: Rate, b: Rate, digits = 2) =>
    `${(a.wall / b.wall).toFixed(digits)} (per CPU-second ${(a.cpu / b.cpu).toFixed(digits)})`;
  console.log('\nratios');
  console.log(`headerOnly parse / copy          ${ratio(header, copy)}`);
  console.log(`anonymize basic / copy           ${ratio(anon, copy)}`);
  console.log(`anonymize datamint-sdk / copy    ${ratio(anonSdk, copy)}`);
  console.log(`anonymize basic / dcmjs          ${ratio(anon, dcm, 1)}`);
  const python = (r: Rate, figure: number) =>
    `${(r.wall / figure).toFixed(1)}x (per CPU-second ${(r.cpu / figure).toFixed(1)}x) of ${figure} MB/s`;
  console.log(`anonymize basic / Python SDK     ${python(anon, PYTHON_SDK.anonymizeMBps)}`);
  console.log(`anonymize datamint-sdk / Python  ${python(anonSdk, PYTHON_SDK.anonymizeMBps)}`);
  aims.push(['anonymize basic / copy', anon.wall / copy.wall, 0.7, '']);
  aims.push(['anonymize basic / Python SDK', anon.wall / PYTHON_SDK.anonymizeMBps, 15, 'x']);
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
