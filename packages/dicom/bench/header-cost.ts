// Part of `pnpm bench` (called by index.ts): the per-header cost of anonymizing, apart from memory
// bandwidth. The bench's CT headers are written with an empty PixelData, so what is timed is the
// work per element (reading, deciding, writing) and not the copy of the pixels. CPU time per file,
// median of 8 rounds after a long warm-up (the first passes run unoptimised code), in the same
// process as a full parse of the same headers (the ratio is the figure that survives the load of
// the shared machine).
import { createAnonymizer, parseDicom, writeDicom } from '../src/index';
import { median } from './stats';

const ROUNDS = 8;
/** Passes over the headers per round. */
const PASSES = 4;

/** Median CPU microseconds per file of `fn` over `files`. */
function perFile(files: readonly Uint8Array[], fn: (f: Uint8Array) => unknown): number {
  for (let r = 0; r < 40; r++) for (const f of files) fn(f);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const cpu = process.cpuUsage();
    for (let k = 0; k < PASSES; k++) for (const f of files) fn(f);
    const used = process.cpuUsage(cpu);
    rounds.push((used.user + used.system) / (PASSES * files.length));
  }
  return median(rounds);
}

/** Prints µs per header for a full parse and both anonymization profiles of the bench's slices. */
export function benchHeaderCost(slices: readonly Uint8Array[]): void {
  const headers = slices.map((s) =>
    writeDicom(parseDicom(s), [{ tag: 'PixelData', action: 'set', vr: 'OW', value: new Uint8Array(0) }]),
  );
  const elements = parseDicom(headers[0]).rootElements.length;
  const basic = createAnonymizer({ key: 'bench' });
  const sdk = createAnonymizer({ profile: 'datamint-sdk' });
  const parse = perFile(headers, (f) => parseDicom(f));
  const anonBasic = perFile(headers, (f) => basic.anonymize(f));
  const anonSdk = perFile(headers, (f) => sdk.anonymize(f));
  const copy = perFile(headers, (f) => f.slice());
  console.log(
    `\nper header (CPU µs per file, median of ${ROUNDS} rounds, ${headers.length} CT headers of ${elements} root elements, ${headers[0].length} bytes, empty PixelData)`,
  );
  const line = (label: string, us: number) =>
    console.log(
      `${label.padEnd(34)}${us.toFixed(1).padStart(8)} µs  (${(us / parse).toFixed(2)} of a full parse)`,
    );
  line('copy of the header bytes', copy);
  line('parseDicom (full)', parse);
  line('anonymize basic', anonBasic);
  line('anonymize datamint-sdk', anonSdk);
}
