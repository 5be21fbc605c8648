// pnpm bench: throughput of @datamint/dicom on 200 generated 512x512 16-bit CT slices, as ratios
// against baselines measured in the same run (plain buffer copy / concatenation, dcmjs) and against
// the Python SDK's figures recorded in the README.
import { resolve } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import dcmjs from 'dcmjs';
import { type AssembleInput, assembleSeries, createAnonymizer, parseDicom } from '../src/index';
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

// Inputs in a scrambled order so assembly really sorts.
const order = Array.from({ length: COUNT }, (_, i) => (i * 73) % COUNT);
// Peak memory first, while little else is allocated: a lazy loader makes each slice on demand and
// live ArrayBuffer memory is sampled (after a full GC and a pause for the background sweeper) at
// every load and at the end, relative to before the call.
async function settle(): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 2));
  gc();
}
await settle();
const base = process.memoryUsage().arrayBuffers;
let peak = 0;
const sample = async () => {
  await settle();
  peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
};
const lazy: AssembleInput[] = order.map((k) => ({
  name: `slice${k}.dcm`,
  load: async () => {
    await sample();
    return makeSlice(k);
  },
}));
const lazyResult = await assembleSeries(lazy);
await sample();
const outputSize = lazyResult.outputs[0].bytes.length;

const files = order.map((k) => makeSlice(k));
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

async function timeAsync(label: string, rounds: number, fn: () => Promise<unknown>): Promise<Rate> {
  await fn();
  gc();
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9 / rounds;
  return report(label, seconds, cpuSince(cpu) / rounds);
}

console.log(
  `${COUNT} CT slices 512x512 16-bit (headers of ${real.length} real Philips slices, varied positions), ${MB.toFixed(1)} MB\n`,
);

// --- anonymize ---
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

// --- assemble ---
console.log('');
const concat = time('baseline: plain concatenation of the files', 10, () => {
  const out = new Uint8Array(totalBytes);
  let o = 0;
  for (const f of files) {
    out.set(f, o);
    o += f.length;
  }
  return out;
});
const inputs: AssembleInput[] = files.map((bytes, i) => ({ name: `slice${order[i]}.dcm`, bytes }));
const assemble = await timeAsync('assembleSeries (200 slices -> 1 file)', 5, async () => {
  const result = await assembleSeries(inputs);
  if (result.outputs.length !== 1 || result.outputs[0].frames !== COUNT) throw new Error('assembly failed');
});

const sliceSize = files[0].length;
const extra = (peak - outputSize) / sliceSize;

const ratio = (a: Rate, b: Rate, digits = 2) =>
  `${(a.wall / b.wall).toFixed(digits)} (per CPU-second ${(a.cpu / b.cpu).toFixed(digits)})`;
console.log('\nratios');
console.log(`headerOnly parse / copy          ${ratio(header, copy)}`);
console.log(`anonymize basic / copy           ${ratio(anon, copy)}`);
console.log(`anonymize datamint-sdk / copy    ${ratio(anonSdk, copy)}`);
console.log(`anonymize basic / dcmjs          ${ratio(anon, dcm, 1)}`);
console.log(`assemble / plain concatenation   ${ratio(assemble, concat)}`);
console.log(
  `assemble peak memory (lazy load)  ${(peak / 1e6).toFixed(1)} MB = output ${(outputSize / 1e6).toFixed(1)} MB + ${extra.toFixed(1)} slices of ${(sliceSize / 1e6).toFixed(2)} MB (${lazyResult.outputs[0].frames} frames)`,
);
const python = (r: Rate, figure: number) =>
  `${(r.wall / figure).toFixed(1)}x (per CPU-second ${(r.cpu / figure).toFixed(1)}x) of ${figure} MB/s`;
console.log(`anonymize basic / Python SDK     ${python(anon, PYTHON_SDK.anonymizeMBps)}`);
console.log(`anonymize datamint-sdk / Python  ${python(anonSdk, PYTHON_SDK.anonymizeMBps)}`);
console.log(`assemble / Python SDK            ${python(assemble, PYTHON_SDK.assembleMBps)}`);
const aim = (name: string, value: number, target: number, unit: string) =>
  console.log(
    `${name.padEnd(34)}${value.toFixed(2)}${unit} (aim >= ${target}${unit}): ${value >= target ? 'met' : 'not met'}`,
  );
console.log('\naims (wall clock)');
aim('assemble / concatenation', assemble.wall / concat.wall, 0.7, '');
aim('assemble / Python SDK', assemble.wall / PYTHON_SDK.assembleMBps, 15, 'x');
aim('anonymize basic / copy', anon.wall / copy.wall, 0.7, '');
aim('anonymize basic / Python SDK', anon.wall / PYTHON_SDK.anonymizeMBps, 15, 'x');

benchHeaderCost(files.slice(0, 50));

await benchCodecs(inputs, resolve(SERIES_DIR, '../../..'));
