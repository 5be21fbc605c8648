/**
 * Benchmark behind the choice of one NIfTI header reader and one PNG library across the packages:
 * `readNiftiHeader` against nifti-reader-js's `readHeader` (the header of a 512x512x300 volume), and
 * this package's PNG decoder and mask encoder against fast-png (the library the client and the server
 * use for general images) on 512x512 mask PNGs. Everything runs in one process; results are ratios.
 * Run: pnpm --filter @datamint/segmentation bench
 */
import { decode, encode } from 'fast-png';
import { readHeader } from 'nifti-reader-js';
import { encodeMaskPng, readNiftiHeader } from '../src/index';
import { readPng } from '../src/read-png';

/** CPU milliseconds per call of `fn` over `n` calls (after a warm-up of n/10). */
function perCall(n: number, fn: () => unknown): number {
  for (let i = 0; i < Math.ceil(n / 10); i++) fn();
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / n;
}

function niftiHeader(): Uint8Array {
  const bytes = new Uint8Array(352);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 348, true);
  [3, 512, 512, 300, 1, 1, 1, 1].forEach((d, i) => {
    v.setInt16(40 + 2 * i, d, true);
  });
  v.setInt16(70, 2, true);
  v.setInt16(72, 8, true);
  for (let i = 0; i < 8; i++) v.setFloat32(76 + 4 * i, 1, true);
  v.setFloat32(108, 352, true);
  v.setFloat32(112, 1, true);
  v.setInt16(254, 1, true);
  for (let i = 0; i < 3; i++) v.setFloat32(280 + 20 * i, 1, true);
  bytes.set([0x6e, 0x2b, 0x31, 0], 344);
  return bytes;
}

/** A 512x512 disc mask: the shape segmentation masks have. */
function maskFrame(): { width: number; height: number; data: Uint8Array } {
  const width = 512;
  const height = 512;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (x - 260) ** 2 + (y - 230) ** 2 < 150 ** 2 ? 1 : 0;
  }
  return { width, height, data };
}

const header = niftiHeader();
const ours = perCall(200_000, () => readNiftiHeader(header));
const theirs = perCall(200_000, () => readHeader(header.slice().buffer));
console.log('NIfTI header (NIfTI-1, 352 bytes):');
console.log(`  readNiftiHeader            ${(ours * 1e3).toFixed(2).padStart(8)} µs CPU per header`);
console.log(`  nifti-reader-js readHeader ${(theirs * 1e3).toFixed(2).padStart(8)} µs CPU per header`);
console.log(`  ratio: readNiftiHeader is ${(theirs / ours).toFixed(1)}x faster`);

const frame = maskFrame();
const ourPng = encodeMaskPng(frame);
const rgb = new Uint8Array(frame.width * frame.height * 3);
for (let i = 0; i < frame.data.length; i++) rgb.fill(frame.data[i] ? 255 : 0, i * 3, i * 3 + 3);
const encodeOurs = perCall(300, () => encodeMaskPng(frame));
const encodeFast = perCall(300, () =>
  encode({ width: frame.width, height: frame.height, data: rgb, channels: 3, depth: 8 }),
);
const decodeOurs = perCall(300, () => readPng(ourPng, { channel: 0 }));
const decodeFast = perCall(300, () => decode(ourPng));
console.log('mask PNG (512x512, 8-bit RGB as the platform stores masks):');
console.log(`  encodeMaskPng       ${encodeOurs.toFixed(3).padStart(8)} ms CPU per frame`);
console.log(`  fast-png encode     ${encodeFast.toFixed(3).padStart(8)} ms CPU per frame`);
console.log(`  readPng (ours)      ${decodeOurs.toFixed(3).padStart(8)} ms CPU per frame`);
console.log(`  fast-png decode     ${decodeFast.toFixed(3).padStart(8)} ms CPU per frame`);
console.log(
  `  ratios: encode ${(encodeFast / encodeOurs).toFixed(1)}x, decode ${(decodeFast / decodeOurs).toFixed(1)}x (fast-png time / ours)`,
);
