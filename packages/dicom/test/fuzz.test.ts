import { describe, expect, it } from 'vitest';
import {
  createAnonymizer,
  DicomError,
  DicomParseError,
  parseDicom,
  TransferSyntax,
  writeDicom,
} from '../src/index';
import {
  dataSetOf,
  pythonSdkStyle,
  redeclare,
  withoutPreamble,
  withoutTransferSyntax,
  wrongGroupLength,
} from './crafted';
import { read, requireData } from './data';

/** mulberry32: small seeded PRNG so every run mutates the same way. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOURCES = [
  'ts/MR_small.dcm',
  'ts/MR_small_implicit.dcm',
  'ts/MR_small_bigendian.dcm',
  'ts/MR_small_RLE.dcm',
  'ts/report_dfl.dcm',
  'ts/SC_rgb_jpeg_dcmtk.dcm',
  'ts/JPEG2000.dcm',
  'structure/rtstruct.dcm',
  'structure/reportsi.dcm',
  'structure/priv_SQ.dcm',
  'structure/nested_priv_SQ.dcm',
  'structure/ExplVR_LitEndNoMeta.dcm',
  'multiframe/rtdose.dcm',
  'multiframe/SC_rgb_rle_2frame.dcm',
];
const MUTATIONS_PER_FILE = Number(process.env.DICOM_FUZZ_COUNT ?? 250);

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const kind = pick(6);
  if (kind === 0) return src.slice(0, pick(src.length));
  const b = src.slice();
  if (kind === 1) {
    for (let i = 0, n = 1 + pick(16); i < n; i++) b[pick(b.length)] = pick(256);
  } else if (kind === 2) {
    // Length fields and tags live in the header part; hit it harder.
    const limit = Math.min(b.length, 2048);
    for (let i = 0, n = 1 + pick(4); i < n; i++) b[pick(limit)] = [0, 0xff, 0xfe, 0xe0, 0x7f][pick(5)];
  } else if (kind === 3) {
    const at = pick(b.length);
    b.fill(pick(2) ? 0xff : 0, at, Math.min(b.length, at + 1 + pick(64)));
  } else if (kind === 4) {
    const at = pick(b.length);
    const extra = new Uint8Array(1 + pick(9)).map(() => pick(256));
    const out = new Uint8Array(b.length + extra.length);
    out.set(b.subarray(0, at));
    out.set(extra, at);
    out.set(b.subarray(at), at + extra.length);
    return out;
  } else {
    const at = pick(Math.max(1, b.length - 8));
    return b.subarray(0, at).length
      ? new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1 + pick(8))])
      : b;
  }
  return b;
}

/** Mutates every source; returns how many mutations parsed and how many were rejected. */
function fuzz(
  sources: { rel: string; bytes: Uint8Array }[],
  seed: number,
): { parsedOk: number; rejected: number } {
  const rnd = prng(seed);
  const anonymizer = createAnonymizer({ key: 'fuzz' });
  let parsedOk = 0;
  let rejected = 0;
  for (const { rel, bytes: src } of sources) {
    for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
      const bytes = mutate(src, rnd);
      let parsed: ReturnType<typeof parseDicom> | undefined;
      try {
        parsed = parseDicom(bytes, { fileName: `${rel}#${i}` });
      } catch (e) {
        if (!(e instanceof DicomParseError))
          throw new Error(`${rel} mutation ${i}: ${String(e)}`, { cause: e });
        rejected++;
        continue;
      }
      parsedOk++;
      // Whatever parses must also be usable: frames and re-writing fail only with typed errors.
      try {
        for (let f = 0; f < Math.min(parsed.numberOfFrames, 4); f++) parsed.frame(f);
        writeDicom(parsed);
        anonymizer.anonymizeParsed(parsed);
      } catch (e) {
        if (!(e instanceof DicomError))
          throw new Error(`${rel} mutation ${i} after parse: ${String(e)}`, { cause: e });
      }
    }
  }
  return { parsedOk, rejected };
}

describe('fuzzed real files', () => {
  it(`only ever throw DicomParseError from parseDicom (${SOURCES.length * MUTATIONS_PER_FILE} mutations per seed)`, () => {
    if (!requireData()) return;
    const sources = SOURCES.map((rel) => ({ rel, bytes: read(rel) }));
    const { parsedOk, rejected } = fuzz(sources, Number(process.env.DICOM_FUZZ_SEED ?? 1234));
    expect(parsedOk + rejected).toBe(SOURCES.length * MUTATIONS_PER_FILE);
    expect(rejected).toBeGreaterThan(100);
  });

  it('files whose declared encoding disagrees with their bytes: fuzzed and truncated, typed errors only', () => {
    if (!requireData()) return;
    const sources = [
      { rel: 'python-sdk-style MR_small', bytes: pythonSdkStyle(read('ts/MR_small.dcm')) },
      { rel: 'python-sdk-style CT_small', bytes: pythonSdkStyle(read('ts/CT_small.dcm')) },
      {
        rel: 'explicit over implicit',
        bytes: redeclare(read('ts/MR_small_implicit.dcm'), TransferSyntax.ExplicitVRLittleEndian),
      },
      { rel: 'big endian without meta', bytes: dataSetOf(read('ts/MR_small_bigendian.dcm')) },
      {
        rel: 'meta without TransferSyntaxUID',
        bytes: withoutTransferSyntax(read('ts/MR_small_implicit.dcm')),
      },
      { rel: 'no preamble', bytes: withoutPreamble(pythonSdkStyle(read('ts/CT_small.dcm'))) },
      { rel: 'wrong group length', bytes: wrongGroupLength(read('ts/MR_small.dcm'), 12) },
    ];
    const { parsedOk, rejected } = fuzz(sources, Number(process.env.DICOM_FUZZ_SEED ?? 4321));
    expect(parsedOk + rejected).toBe(sources.length * MUTATIONS_PER_FILE);
    expect(rejected).toBeGreaterThan(50);
    // Every cut through the header region: a typed error, or a parse whose elements all fit.
    for (const { rel, bytes } of sources) {
      for (let cut = 0; cut < Math.min(bytes.length, 1200); cut += 7) {
        try {
          const p = parseDicom(bytes.subarray(0, cut), { fileName: rel });
          for (const key of p.keys()) {
            const el = p.dataSet.elements[key];
            expect(el.dataOffset + el.length).toBeLessThanOrEqual(cut);
          }
        } catch (e) {
          expect(e, `${rel} cut at ${cut}`).toBeInstanceOf(DicomParseError);
        }
      }
    }
  });
});
