/**
 * Benchmark: a 512x512x300 uint8 label volume with three organs, as a gzipped NIfTI in memory.
 * Pipeline = read + split per frame and label + encode every mask PNG. Compared, in the same process,
 * with the same pipeline written naively on nifti-reader-js + upng-js's default encoder, and with a plain
 * byte copy of the volume as a memory-speed reference. Run: pnpm --filter @datamint/segmentation bench
 */
import { gunzipSync } from 'node:zlib';
import { gzipSync } from 'fflate';
import { decompress, readHeader, readImage } from 'nifti-reader-js';
import UPNG from 'upng-js';
import { encodeMaskPng, type MaskVolume, readMask, readMaskAsync, splitLabels } from '../src/index';

const I = 512;
const J = 512;
const K = 300;

/** Three ellipsoid "organs" (labels 1..3) spanning different slice ranges, NIfTI voxel order. */
function makeVolume(): Uint8Array {
  const organs = [
    { label: 1, c: [200, 260, 150], r: [120, 90, 80] },
    { label: 2, c: [360, 230, 110], r: [50, 60, 45] },
    { label: 3, c: [330, 330, 190], r: [35, 40, 55] },
  ];
  const vol = new Uint8Array(I * J * K);
  for (const { label, c, r } of organs) {
    for (let k = Math.max(0, c[2] - r[2]); k < Math.min(K, c[2] + r[2]); k++) {
      for (let j = Math.max(0, c[1] - r[1]); j < Math.min(J, c[1] + r[1]); j++) {
        for (let i = Math.max(0, c[0] - r[0]); i < Math.min(I, c[0] + r[0]); i++) {
          const d = ((i - c[0]) / r[0]) ** 2 + ((j - c[1]) / r[1]) ** 2 + ((k - c[2]) / r[2]) ** 2;
          if (d < 1) vol[i + I * j + I * J * k] = label;
        }
      }
    }
  }
  return vol;
}

function niftiGz(voxels: Uint8Array): Uint8Array {
  const header = new Uint8Array(352);
  const v = new DataView(header.buffer);
  v.setInt32(0, 348, true);
  [3, I, J, K, 1, 1, 1, 1].forEach((d, n) => {
    v.setInt16(40 + 2 * n, d, true);
  });
  v.setInt16(70, 2, true);
  v.setInt16(72, 8, true);
  for (let n = 0; n < 8; n++) v.setFloat32(76 + 4 * n, 1, true);
  v.setFloat32(108, 352, true);
  v.setFloat32(112, 1, true);
  header.set([0x6e, 0x2b, 0x31, 0], 344);
  const file = new Uint8Array(352 + voxels.length);
  file.set(header);
  file.set(voxels, 352);
  return gzipSync(file, { level: 6 });
}

interface Result {
  seconds: number;
  /** CPU time of this process: on a shared machine it moves far less than wall time. */
  cpuSeconds: number;
  masks: number;
  pngBytes: number;
}

function timed(run: () => { masks: number; pngBytes: number }): Result {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const { masks, pngBytes } = run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, masks, pngBytes };
}

function splitAndEncode(volume: MaskVolume): { masks: number; pngBytes: number } {
  let masks = 0;
  let pngBytes = 0;
  for (const item of splitLabels(volume, { names: { 1: 'Liver', 2: 'Spleen', 3: 'Kidney' } })) {
    pngBytes += encodeMaskPng(item.mask).length;
    masks++;
  }
  return { masks, pngBytes };
}

/** readMaskAsync: DecompressionStream is native but async, so it is timed around the awaited read. */
async function oursAsync(gz: Uint8Array): Promise<Result> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const volume = await readMaskAsync(gz, { fileName: 'bench.nii.gz' });
  const { masks, pngBytes } = splitAndEncode(volume);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, masks, pngBytes };
}

function ours(gz: Uint8Array, nodeZlib: boolean): Result {
  return timed(() => {
    const volume = readMask(gz, {
      fileName: 'bench.nii.gz',
      gunzip: nodeZlib ? (b) => gunzipSync(b) : undefined,
    });
    return splitAndEncode(volume);
  });
}

/** What a straightforward port would write: nifti-reader-js, then an RGBA buffer per mask into UPNG.encode. */
function naive(gz: Uint8Array, frames: number): Result {
  return timed(() => {
    const raw = decompress(gz.slice().buffer) as ArrayBuffer;
    const header = readHeader(raw);
    const voxels = new Uint8Array(readImage(header, raw));
    let masks = 0;
    let pngBytes = 0;
    const size = I * J;
    for (let k = 0; k < frames; k++) {
      const frame = voxels.subarray(k * size, (k + 1) * size);
      const labels = [...new Set(frame)].filter((v) => v !== 0).sort((a, b) => a - b);
      for (const label of labels) {
        const rgba = new Uint8Array(size * 4);
        for (let p = 0; p < size; p++) {
          const on = frame[p] === label ? 255 : 0;
          rgba[4 * p] = on;
          rgba[4 * p + 1] = on;
          rgba[4 * p + 2] = on;
          rgba[4 * p + 3] = 255;
        }
        pngBytes += UPNG.encode([rgba.buffer], I, J, 0).byteLength;
        masks++;
      }
    }
    return { masks, pngBytes };
  });
}

function copy(voxels: Uint8Array): number {
  const start = performance.now();
  const out = new Uint8Array(voxels.length);
  out.set(voxels);
  if (out[out.length - 1] !== voxels[voxels.length - 1]) throw new Error('copy failed');
  return (performance.now() - start) / 1000;
}

function best<T extends { seconds: number; cpuSeconds?: number }>(runs: number, f: () => T): T {
  let winner: T | undefined;
  for (let r = 0; r < runs; r++) {
    const result = f();
    if (
      winner === undefined ||
      (result.cpuSeconds ?? result.seconds) < (winner.cpuSeconds ?? winner.seconds)
    ) {
      winner = result;
    }
  }
  return winner as T;
}

const voxels = makeVolume();
const gz = niftiGz(voxels);
const mb = voxels.length / 1e6;
console.log(
  `volume ${I}x${J}x${K} uint8, ${mb.toFixed(1)} MB raw, ${(gz.length / 1e6).toFixed(2)} MB gzipped`,
);

const copySeconds = best(5, () => ({ seconds: copy(voxels) })).seconds;
const fast = best(3, () => ours(gz, false));
const fastNode = best(3, () => ours(gz, true));
let fastAsync: Result | undefined;
for (let r = 0; r < 3; r++) {
  const result = await oursAsync(gz);
  if (fastAsync === undefined || result.cpuSeconds < fastAsync.cpuSeconds) fastAsync = result;
}
if (fastAsync === undefined) throw new Error('no async run');
// Stages on their own, to show where the time goes: reading (gunzip + CRC + label normalisation) with
// each decompressor, and split + encode from an already read volume.
const readOnly = (options: Parameters<typeof readMask>[1]) =>
  timed(() => {
    const { frames } = readMask(gz, options);
    return { masks: frames, pngBytes: 0 };
  });
const readFflate = best(3, () => readOnly({}));
const readNode = best(3, () => readOnly({ gunzip: (b) => gunzipSync(b) }));
const volume = readMask(gz);
const splitEncode = best(3, () => timed(() => splitAndEncode(volume)));
// The naive pipeline is slow: run it on the first 40% of the slices and scale per mask.
const naiveFrames = Math.round(K * 0.4);
const slow = best(1, () => naive(gz, naiveFrames));

const row = (name: string, r: Result, frames: number) =>
  `${name.padEnd(38)} ${(frames / r.seconds).toFixed(0).padStart(6)} frames/s ${(r.masks / r.seconds).toFixed(0).padStart(6)} masks/s ${((mb * frames) / K / r.seconds).toFixed(0).padStart(5)} MB/s | per CPU-second: ${(frames / r.cpuSeconds).toFixed(0).padStart(6)} frames ${((mb * frames) / K / r.cpuSeconds).toFixed(0).padStart(5)} MB | ${r.masks} masks, ${(r.pngBytes / r.masks / 1024).toFixed(1)} KiB/mask`;
console.log(row('@datamint/segmentation (fflate)', fast, K));
console.log(row('@datamint/segmentation (node:zlib)', fastNode, K));
console.log(row('@datamint/segmentation (readMaskAsync)', fastAsync, K));
console.log(row(`naive upng-js (first ${naiveFrames} slices)`, slow, naiveFrames));
console.log(`plain copy of the volume: ${(mb / copySeconds).toFixed(0)} MB/s`);
const stage = (name: string, r: Result) =>
  `  ${name.padEnd(36)} ${(r.cpuSeconds * 1000).toFixed(0).padStart(5)} ms CPU = ${(K / r.cpuSeconds).toFixed(0).padStart(5)} frames per CPU-second`;
console.log('stages (300 frames):');
console.log(stage('readMask, fflate gunzip', readFflate));
console.log(stage('readMask, node:zlib gunzip', readNode));
console.log(stage('splitLabels + encodeMaskPng', splitEncode));
const perMaskOurs = fast.cpuSeconds / fast.masks;
const perMaskNaive = slow.cpuSeconds / slow.masks;
const perMaskNode = fastNode.cpuSeconds / fastNode.masks;
console.log(
  `ratio vs naive upng-js pipeline (CPU time per mask): ${(perMaskNaive / perMaskOurs).toFixed(1)}x faster (fflate), ${(perMaskNaive / perMaskNode).toFixed(1)}x (node:zlib)`,
);
console.log(
  `ratio vs plain copy (throughput): ${(copySeconds / fast.seconds).toFixed(3)} of memcpy speed (fflate)`,
);
for (const [name, r] of [
  ['fflate', fast],
  ['node:zlib', fastNode],
  ['readMaskAsync', fastAsync],
] as const) {
  const wall = K / r.seconds;
  const cpu = K / r.cpuSeconds;
  console.log(
    `target 1000 frames/s (Python SDK ~125) with ${name}: ${wall >= 1000 ? 'met' : 'not met'} by wall clock (${wall.toFixed(0)}), ${cpu >= 1000 ? 'met' : 'not met'} per CPU-second (${cpu.toFixed(0)})`,
  );
}
