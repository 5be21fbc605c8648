// pnpm bench: throughput of @datamint/dicom on real 512x512 CT slices, as ratios against baselines
// measured in the same run (plain buffer copy; dcmjs read + write as a full-model anonymizer).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import dcmjs from 'dcmjs';
import { createAnonymizer, isDicom, parseDicom } from '../src/index';

const here = fileURLToPath(new URL('.', import.meta.url));
const seriesDir = resolve(here, '../../../../shared/data/dicom/series/dcm_qa_ct_philips_S2010');
if (!existsSync(seriesDir)) {
  console.log(`SKIPPED: ${seriesDir} not found`);
  process.exit(0);
}
const slices = readdirSync(seriesDir)
  .map((f) => new Uint8Array(readFileSync(join(seriesDir, f))))
  .filter((b) => isDicom(b) && parseDicom(b, { headerOnly: true }).number('Rows') === 512);
const COUNT = 200;
const files = Array.from({ length: COUNT }, (_, i) => slices[i % slices.length]);
const totalBytes = files.reduce((s, f) => s + f.length, 0);
const MB = totalBytes / 1e6;

function time(label: string, rounds: number, fn: () => void): number {
  fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9 / rounds;
  console.log(
    `${label.padEnd(44)} ${(MB / seconds).toFixed(0).padStart(7)} MB/s  (${(seconds * 1000).toFixed(1)} ms)`,
  );
  return MB / seconds;
}

console.log(`${COUNT} CT slices 512x512 (${slices.length} distinct), ${MB.toFixed(1)} MB\n`);
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
const dcm = time('baseline: dcmjs read + write (no edits)', 1, () => {
  for (const f of files) {
    const d = dcmjs.data.DicomMessage.readFile(f.slice().buffer as ArrayBuffer);
    (d as unknown as { write(): ArrayBuffer }).write();
  }
});
console.log('\nratios');
console.log(`headerOnly parse / copy       ${(header / copy).toFixed(2)}`);
console.log(`anonymize basic / copy        ${(anon / copy).toFixed(2)}`);
console.log(`anonymize datamint-sdk / copy ${(anonSdk / copy).toFixed(2)}`);
console.log(`anonymize basic / dcmjs       ${(anon / dcm).toFixed(1)}x`);
