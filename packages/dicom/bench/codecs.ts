// Codec part of `pnpm bench`: JPEG-LS assembly against CharLS's raw encode speed on the same
// frames, and decodeFrame throughput per compressed transfer syntax. Called by index.ts with the
// bench's 200 generated CT slices.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jpegFrameSize } from '../src/codecs/bitstream-header';
import { type AssembleInput, assembleSeries, decodeFrame, type ParsedDicom, parseDicom } from '../src/index';
import { median } from './stats';

interface CharlsEncoder {
  getDecodedBuffer(info: {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
  }): Uint8Array;
  setNearLossless(near: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

/** A value with the wall and CPU seconds it took. */
interface Timed<T> {
  value: T;
  seconds: number;
  cpu: number;
}

async function secondsAsync<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

export async function benchCodecs(inputs: AssembleInput[], dataDir: string): Promise<void> {
  const inputMB = inputs.reduce((s, i) => s + ('bytes' in i ? i.bytes.length : 0), 0) / 1e6;
  console.log(`\ncodecs: JPEG-LS assembly of the same ${inputs.length} slices (${inputMB.toFixed(1)} MB)`);

  const plain = await assembleSeries(inputs);
  const assemble = () => assembleSeries(inputs, { compression: 'jpeg-ls' });
  const first = await assemble();
  const output = first.outputs[0];
  if (!output || output.frames !== inputs.length) throw new Error('JPEG-LS assembly failed');

  // CharLS on its own, on the frames of the uncompressed output, at the precision our encoder chose.
  const native = parseDicom(plain.outputs[0].bytes, { headerOnly: true });
  const compressed = parseDicom(output.bytes);
  const { precision } = jpegFrameSize(compressed.frame(0));
  const factory = (await import('@cornerstonejs/codec-charls/wasmjs')).default as unknown as () => Promise<{
    JpegLSEncoder: new () => CharlsEncoder;
  }>;
  const charls = await factory();
  const rows = native.number('Rows') as number;
  const columns = native.number('Columns') as number;
  const frames = Array.from({ length: native.numberOfFrames }, (_, k) => native.frame(k));
  const encodeRaw = async () =>
    frames.map((f) => {
      const e = new charls.JpegLSEncoder();
      e.getDecodedBuffer({ width: columns, height: rows, bitsPerSample: precision, componentCount: 1 }).set(
        f,
      );
      e.setNearLossless(0);
      e.encode();
      const n = e.getEncodedBuffer().length;
      e.delete();
      return n;
    });
  // The two alternate round by round (after a warm-up of each), so a change in the machine's load
  // reaches both; the aim is judged on the median of the per-round ratios.
  await encodeRaw();
  const ROUNDS = 5;
  let packed: Timed<unknown> | undefined;
  let raw: Timed<number[]> | undefined;
  const roundRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = await secondsAsync(assemble);
    const b = await secondsAsync(encodeRaw);
    roundRatios.push(b.seconds / a.seconds);
    if (!packed || a.seconds < packed.seconds) packed = a;
    if (!raw || b.seconds < raw.seconds) raw = b;
  }
  const rawBytes = raw!.value.reduce((s, n) => s + n, 0);
  const assembleRate = inputMB / packed!.seconds;
  const rawRate = inputMB / raw!.seconds;
  const ratio = output.bytes.length / plain.outputs[0].bytes.length;
  console.log(
    `assembleSeries jpeg-ls                        ${assembleRate.toFixed(1).padStart(7)} MB/s of input (best of ${ROUNDS}: ${(packed!.seconds * 1000).toFixed(0)} ms, ${(inputMB / packed!.cpu).toFixed(1)} MB per CPU-second)`,
  );
  console.log(
    `baseline: CharLS encode of the same frames    ${rawRate.toFixed(1).padStart(7)} MB/s (best of ${ROUNDS}: ${(raw!.seconds * 1000).toFixed(0)} ms, ${precision}-bit, ${(rawBytes / 1e6).toFixed(1)} MB of bitstreams)`,
  );
  console.log(
    `compressed size / uncompressed output         ${ratio.toFixed(3)} (${(output.bytes.length / 1e6).toFixed(1)} of ${(plain.outputs[0].bytes.length / 1e6).toFixed(1)} MB)`,
  );
  const aim = median(roundRatios);
  console.log(
    `jpeg-ls assembly / CharLS raw encode          ${aim.toFixed(2)} (aim >= 0.8): ${aim >= 0.8 ? 'met' : 'not met'}; median of ${ROUNDS} alternating rounds (${Math.min(...roundRatios).toFixed(2)} to ${Math.max(...roundRatios).toFixed(2)}), best runs ${(assembleRate / rawRate).toFixed(2)}`,
  );

  console.log('\ncodecs: decodeFrame, frames per second (best of 3 passes of at least 0.3 s)');
  const samples: { label: string; parsed: ParsedDicom }[] = [
    { label: 'jpeg-ls assembled CT 512x512 (this bench)', parsed: compressed },
  ];
  const tsDir = join(dataDir, 'dicom/ts');
  const multi = join(dataDir, 'dicom/multiframe');
  const files = existsSync(tsDir)
    ? [
        ...readdirSync(tsDir).map((f) => join(tsDir, f)),
        join(multi, 'CT0012.fragmented_no_bot_jpeg_lossless.70.dcm'),
        join(multi, 'CT0012.not_fragmented_bot_rle.dcm'),
        join(multi, 'IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'),
      ]
    : [];
  for (const path of files) {
    const parsed = parseDicom(new Uint8Array(readFileSync(path)), { fileName: path });
    if (!parsed.isEncapsulated) continue;
    samples.push({ label: `${path.split('/').pop()}`, parsed });
  }
  samples.push({
    label: 'native (uncompressed output of this bench)',
    parsed: parseDicom(plain.outputs[0].bytes),
  });
  for (const { label, parsed } of samples) {
    const n = parsed.numberOfFrames;
    try {
      await decodeFrame(parsed, 0);
    } catch (e) {
      console.log(`${label.padEnd(58)} not decoded: ${(e as Error).message}`);
      continue;
    }
    let bestRate = 0;
    for (let pass = 0; pass < 3; pass++) {
      let count = 0;
      const start = process.hrtime.bigint();
      let elapsed = 0;
      while (elapsed < 0.3) {
        await decodeFrame(parsed, count % n);
        count++;
        elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      }
      bestRate = Math.max(bestRate, count / elapsed);
    }
    const mp = ((parsed.number('Rows') ?? 0) * (parsed.number('Columns') ?? 0)) / 1e6;
    console.log(
      `${label.padEnd(58)} ${parsed.transferSyntaxUID.padEnd(24)} ${bestRate.toFixed(0).padStart(6)} frames/s (${(bestRate * mp).toFixed(1)} Mpixel/s)`,
    );
  }
}
