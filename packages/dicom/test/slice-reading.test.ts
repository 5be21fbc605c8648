import { describe, expect, it } from 'vitest';
import {
  type AssemblyPlan,
  groupSlices,
  isDicom,
  parseDicom,
  planAssembly,
  readSlice,
  sliceHeaderParser,
} from '../src';
import { dicomFiles, read, requireData } from './data';

/** A plan as names only: what is grouped (in order), passed through and left out, and why. */
function summary(plan: AssemblyPlan) {
  return {
    groups: plan.groups.map((g) => [g.seriesInstanceUID, g.orderedBy, g.slices.map((s) => s.name)]),
    passedThrough: plan.passedThrough.map((p) => [p.name, p.reason]),
    unassembled: plan.unassembled.map((u) => [u.names, u.reason]),
  };
}

describe('planning from headers read by the caller', () => {
  it.skipIf(!requireData())(
    'a header parsed from the head of each file, with the file size, plans as the whole files do',
    async () => {
      const files = dicomFiles().filter((f) => !f.rel.startsWith('broken/'));
      const whole = await planAssembly(files.map((f) => ({ name: f.rel, bytes: read(f.rel) })));
      const parse = sliceHeaderParser(['Modality']);
      const readings = files.flatMap((f) => {
        const bytes = read(f.rel);
        if (!isDicom(bytes)) return [{ input: { name: f.rel, bytes }, outcome: { pass: 'not DICOM' } }];
        let header = parse(bytes, f.rel);
        const uncompressed =
          header.pixelData && !header.pixelData.hadUndefinedLength && !header.transferSyntax.deflated;
        // Uncompressed pixel data is never needed: only the bytes up to it are given, with the size.
        if (uncompressed) header = parse(bytes.slice(0, header.pixelDataOffset), f.rel);
        expect(header.string('Modality')).toBe(parseDicom(bytes, { headerOnly: true }).string('Modality'));
        return [readSlice({ name: f.rel, bytes }, header, uncompressed ? bytes.length : undefined)];
      });
      const fromHeads = groupSlices(readings);
      expect(fromHeads.groups.length).toBeGreaterThan(3);
      expect(summary(fromHeads)).toEqual(summary(whole));
    },
  );

  it.skipIf(!requireData())('the size reveals truncated pixel data that the head does not hold', () => {
    const bytes = read('ts/MR_small.dcm');
    const parse = sliceHeaderParser();
    const start = parse(bytes).pixelDataOffset!;
    const header = parse(bytes.slice(0, start), 'MR_small.dcm');
    const input = { name: 'MR_small.dcm', bytes };
    expect('slice' in readSlice(input, header, bytes.length).outcome).toBe(true);
    // The file ends 62 bytes before its one 8192-byte frame does.
    expect(readSlice(input, header, start + 8130).outcome).toEqual({
      fail: 'PixelData has 8130 bytes, one frame needs 8192',
    });
  });

  it.skipIf(!requireData())('the parser throws a DicomParseError for a header it cannot read', () => {
    expect(() => sliceHeaderParser()(read('broken/rtplan_truncated.dcm'), 'rtplan_truncated.dcm')).toThrow(
      /rtplan_truncated\.dcm.*malformed/,
    );
  });
});
