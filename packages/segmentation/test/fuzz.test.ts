import { describe, expect, it } from 'vitest';
import { encodeMaskPng, MaskError, type MaskVolume, readMask, readMaskAsync } from '../src/index';
import { assemblePng, buildGrayPng, pngChunks, prng, writeNifti, writeNiftiPair } from './helpers';

const SEED = 0x5eed;
const ROUNDS = 300;

/** Calls readMask and fails unless it returns a consistent volume or throws a MaskError. */
function readOnlyMaskErrors(
  bytes: Uint8Array,
  label: string,
  options: Parameters<typeof readMask>[1] = {},
): void {
  let volume: MaskVolume;
  try {
    volume = readMask(bytes, options);
  } catch (error) {
    if (error instanceof MaskError) return;
    throw new Error(`${label}: non-MaskError ${String(error)}`, { cause: error });
  }
  expect(volume.data.length, label).toBe(volume.width * volume.height * volume.frames);
}

function mutate(input: Uint8Array, rnd: () => number, from = 0): Uint8Array {
  const out = input.slice();
  const edits = 1 + Math.floor(rnd() * 6);
  for (let e = 0; e < edits; e++) {
    const at = from + Math.floor(rnd() * (out.length - from));
    const kind = rnd();
    if (kind < 0.6) out[at] = Math.floor(rnd() * 256);
    else if (kind < 0.8) out[at] ^= 1 << Math.floor(rnd() * 8);
    else out[at] = [0, 0xff, 0x7f, 0x80][Math.floor(rnd() * 4)];
  }
  return out;
}

function truncate(input: Uint8Array, rnd: () => number): Uint8Array {
  return input.subarray(0, Math.floor(rnd() * input.length));
}

const samples = Array.from({ length: 16 * 12 }, (_, i) => ((i * 13) >> 3) % 5);
const pngInputs: Record<string, Uint8Array> = {
  'gray8.png': buildGrayPng({ width: 16, height: 12, depth: 8, samples }),
  'palette4.png': buildGrayPng({ width: 16, height: 12, depth: 4, samples, palette: true }),
  'gray16-interlaced.png': buildGrayPng({ width: 16, height: 12, depth: 16, samples, interlace: true }),
  'mask-rgb.png': encodeMaskPng({ width: 16, height: 12, data: samples }),
  'gray1-interlaced.png': buildGrayPng({
    width: 16,
    height: 12,
    depth: 1,
    samples: samples.map((v) => v & 1),
    interlace: true,
    filters: [0, 1, 2, 3, 4],
  }),
};
const niftiInputs: Record<string, Uint8Array> = {
  'v1-le-int16.nii': writeNifti({ dims: [4, 3, 2], type: 'int16', values: samples.slice(0, 24) }),
  'v2-be-uint8.nii': writeNifti({
    version: 2,
    dims: [4, 3, 2],
    type: 'uint8',
    values: samples.slice(0, 24),
    littleEndian: false,
  }),
  'v1-float.nii.gz': writeNifti({
    dims: [4, 3, 2, 1],
    type: 'float32',
    values: samples.slice(0, 24),
    gzip: true,
  }),
};

describe(`seeded fuzzing (seed ${SEED}) only ever gives MaskError`, () => {
  for (const [name, bytes] of Object.entries(pngInputs)) {
    it(`${name}: random bytes, truncation, and mutations behind valid CRCs`, () => {
      const rnd = prng(SEED ^ name.length);
      const options = name.startsWith('mask-rgb') ? { channel: 0 } : {};
      readOnlyMaskErrors(bytes, name, options);
      for (let round = 0; round < ROUNDS; round++) {
        readOnlyMaskErrors(mutate(bytes, rnd), `${name} mutate #${round}`, options);
        readOnlyMaskErrors(truncate(bytes, rnd), `${name} truncate #${round}`, options);
        // Re-computing CRCs gets the mutation past the checksum into IHDR, zlib and filters.
        const chunks = pngChunks(bytes).map((c) => ({
          type: c.type,
          data: c.data.length ? mutate(c.data, rnd) : c.data,
        }));
        const which = Math.floor(rnd() * chunks.length);
        const resealed = assemblePng(chunks.map((c, k) => (k === which ? c : pngChunks(bytes)[k])));
        readOnlyMaskErrors(resealed, `${name} resealed #${round}`, options);
      }
    });
  }

  for (const [name, bytes] of Object.entries(niftiInputs)) {
    it(`${name}: header and voxel mutations, truncation`, () => {
      const rnd = prng(SEED + name.length);
      readOnlyMaskErrors(bytes, name);
      for (let round = 0; round < ROUNDS; round++) {
        readOnlyMaskErrors(mutate(bytes, rnd), `${name} mutate #${round}`);
        readOnlyMaskErrors(truncate(bytes, rnd), `${name} truncate #${round}`);
        if (!name.endsWith('.gz')) {
          // Aim at the fixed header where dims, datatype, bitpix, vox_offset and scaling live.
          const header = bytes.slice();
          const at = 40 + Math.floor(rnd() * 150);
          header[at] = Math.floor(rnd() * 256);
          readOnlyMaskErrors(header, `${name} header byte ${at} #${round}`);
        }
      }
    });
  }

  it('hdr/img pairs with a mutated or truncated image', () => {
    const rnd = prng(SEED);
    const { hdr, img } = writeNiftiPair({
      dims: [4, 3, 2],
      type: 'int32',
      values: samples.slice(0, 24),
      gzip: true,
    });
    for (let round = 0; round < ROUNDS; round++) {
      readOnlyMaskErrors(hdr, `pair mutate #${round}`, { image: mutate(img, rnd) });
      readOnlyMaskErrors(hdr, `pair truncate #${round}`, { image: truncate(img, rnd) });
      readOnlyMaskErrors(mutate(hdr, rnd), `pair hdr mutate #${round}`, { image: img });
    }
  });

  it('random garbage of every small length', () => {
    const rnd = prng(SEED + 1);
    for (let n = 0; n < 700; n++) {
      const bytes = new Uint8Array(n).map(() => Math.floor(rnd() * 256));
      if (n > 4 && rnd() < 0.3) bytes.set([0x1f, 0x8b, 8, 0]);
      readOnlyMaskErrors(bytes, `garbage ${n}`);
    }
  });

  it('readMaskAsync on mutated and truncated .nii.gz', async () => {
    const rnd = prng(SEED + 2);
    const gz = niftiInputs['v1-float.nii.gz'];
    for (let round = 0; round < 100; round++) {
      for (const [kind, bytes] of [
        ['mutate', mutate(gz, rnd)],
        ['truncate', truncate(gz, rnd)],
      ] as const) {
        try {
          const volume = await readMaskAsync(bytes);
          expect(volume.data.length).toBe(volume.width * volume.height * volume.frames);
        } catch (error) {
          if (!(error instanceof MaskError))
            throw new Error(`${kind} #${round}: non-MaskError ${String(error)}`);
        }
      }
    }
  });
});
