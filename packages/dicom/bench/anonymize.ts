// Anonymization part of `pnpm bench`: both profiles over the bench's 200 CT slices against a plain
// copy of each file into a fresh buffer, with a headerOnly parse and dcmjs for scale.
//
// The copy, the headerOnly parse and the two anonymizers are timed in turns (one round of each per
// turn, the order rotating from turn to turn) after warm-up rounds, with no forced collection, so
// the load of the shared machine and the collector's work for the outputs just dropped fall on all
// of them alike. Timed one after the other, the copy ran in a quiet heap and the anonymizer in one
// full of the copy's discarded buffers, and the ratio moved with what ran before. The ratio
// reported is the median of the per-turn ratios, with their spread.
import dcmjs from 'dcmjs';
import { createAnonymizer, parseDicom } from '../src/index';
import { median } from './stats';

/** Everything the anonymization bench needs from index.ts. */
export interface AnonymizeBenchInputs {
  /** The slices. */
  files: Uint8Array[];
  /** The Python SDK's anonymization figure, MB/s. */
  pythonMBps: number;
}

/** Medians of the turns. */
export interface AnonymizeBenchResult {
  /** Median of the per-turn ratios basic-profile MB/s / copy MB/s, wall clock. */
  ratio: number;
  /** Basic-profile MB/s from its median wall time. */
  basicMBps: number;
}

const TURNS = 12;
const WARM_UP = 3;

interface Part {
  label: string;
  run(): void;
  wall: number[];
  cpu: number[];
}

function part(label: string, run: () => void): Part {
  return { label, run, wall: [], cpu: [] };
}

/** Times one round of `p` (wall and CPU milliseconds). */
function measure(p: Part): void {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  p.run();
  p.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const used = process.cpuUsage(cpu0);
  p.cpu.push((used.user + used.system) / 1000);
}

interface DcmjsAnonymizer {
  data: { DicomMessage: { readFile(b: ArrayBuffer): { dict: object; write(): ArrayBuffer } } };
  anonymizer: { cleanTags(dict: object): void };
}

/** Runs and prints the anonymization bench; returns the medians for the summary of aims. */
export function benchAnonymize(input: AnonymizeBenchInputs): AnonymizeBenchResult {
  const { files, pythonMBps } = input;
  const MB = files.reduce((s, f) => s + f.length, 0) / 1e6;
  const basic = createAnonymizer({ key: 'bench' });
  const sdk = createAnonymizer({ profile: 'datamint-sdk' });
  const parts = [
    // A real copy: every file into a fresh buffer of its own, as the anonymizer writes its output.
    part('baseline: plain buffer copy', () => {
      for (const f of files) f.slice();
    }),
    part('parseDicom headerOnly', () => {
      for (const f of files) parseDicom(f, { headerOnly: true });
    }),
    part('anonymize basic (createAnonymizer)', () => {
      for (const f of files) basic.anonymize(f);
    }),
    part('anonymize datamint-sdk', () => {
      for (const f of files) sdk.anonymize(f);
    }),
  ];
  const [copy, header, anon, anonSdk] = parts;
  for (let r = 0; r < WARM_UP; r++) for (const p of parts) p.run();
  for (let t = 0; t < TURNS; t++) {
    for (let k = 0; k < parts.length; k++) measure(parts[(t + k) % parts.length]);
  }
  const rate = (p: Part) => MB / (median(p.wall) / 1000);
  const cpuRate = (p: Part) => MB / (median(p.cpu) / 1000);
  for (const p of parts) {
    console.log(
      `${p.label.padEnd(46)} ${rate(p).toFixed(0).padStart(7)} MB/s  (${median(p.wall).toFixed(1)} ms) | ${cpuRate(p).toFixed(0).padStart(6)} MB per CPU-second`,
    );
  }

  const dj = dcmjs as unknown as DcmjsAnonymizer;
  const dcm = part('baseline: dcmjs read + cleanTags + write', () => {
    for (const f of files) {
      const d = dj.data.DicomMessage.readFile(f.slice().buffer as ArrayBuffer);
      dj.anonymizer.cleanTags(d.dict);
      d.write();
    }
  });
  measure(dcm);
  console.log(
    `${dcm.label.padEnd(46)} ${rate(dcm).toFixed(0).padStart(7)} MB/s  (${dcm.wall[0].toFixed(1)} ms)`,
  );

  /** Per-turn ratios of `p`'s rate to the copy's: median, and min-max. */
  const toCopy = (p: Part) => {
    const wall = p.wall.map((w, i) => copy.wall[i] / w);
    const cpu = p.cpu.map((c, i) => copy.cpu[i] / c);
    const sorted = [...wall].sort((a, b) => a - b);
    return {
      median: median(wall),
      text: `${median(wall).toFixed(2)} (turns ${sorted[0].toFixed(2)}-${sorted[sorted.length - 1].toFixed(2)}; per CPU-second ${median(cpu).toFixed(2)})`,
    };
  };
  const python = (p: Part) =>
    `${(rate(p) / pythonMBps).toFixed(1)}x (per CPU-second ${(cpuRate(p) / pythonMBps).toFixed(1)}x) of ${pythonMBps} MB/s`;
  const basicToCopy = toCopy(anon);
  console.log('\nratios (median of the per-turn ratios)');
  console.log(`headerOnly parse / copy          ${toCopy(header).text}`);
  console.log(`anonymize basic / copy           ${basicToCopy.text}`);
  console.log(`anonymize datamint-sdk / copy    ${toCopy(anonSdk).text}`);
  console.log(`anonymize basic / dcmjs          ${(rate(anon) / rate(dcm)).toFixed(1)}`);
  console.log(`anonymize basic / Python SDK     ${python(anon)}`);
  console.log(`anonymize datamint-sdk / Python  ${python(anonSdk)}`);
  return { ratio: basicToCopy.median, basicMBps: rate(anon) };
}
