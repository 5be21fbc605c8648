// Builders of files whose declared encoding disagrees with their bytes, made from real files the
// way broken writers make them (nothing is copied into the repository).
import { concatBytes } from '../src/bytes';
import { encodeElement } from '../src/encode';
import { parseDicom, TransferSyntax } from '../src/index';

const META = { explicitVR: true, littleEndian: true };

/** Preamble, `DICM` and a file meta group made of `elements` with a correct group length. */
function part10(elements: Uint8Array[], body: Uint8Array, groupLength?: number): Uint8Array {
  const length = elements.reduce((s, e) => s + e.length, 0);
  const head = new Uint8Array(132);
  head.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concatBytes([head, encodeElement(0x00020000, 'UL', groupLength ?? length, META), ...elements, body]);
}

function metaElements(source: Uint8Array, transferSyntaxUID: string | undefined): Uint8Array[] {
  const p = parseDicom(source);
  const out = [
    encodeElement(0x00020001, 'OB', new Uint8Array([0, 1]), META),
    encodeElement(0x00020002, 'UI', p.meta?.string('x00020002') ?? p.string('SOPClassUID') ?? '', META),
    encodeElement(0x00020003, 'UI', p.meta?.string('x00020003') ?? p.string('SOPInstanceUID') ?? '', META),
  ];
  if (transferSyntaxUID !== undefined) out.push(encodeElement(0x00020010, 'UI', transferSyntaxUID, META));
  out.push(encodeElement(0x00020012, 'UI', '1.2.3.4', META));
  return out;
}

/** The data set of a file, without preamble and file meta. */
export function dataSetOf(source: Uint8Array): Uint8Array {
  return source.subarray(parseDicom(source).dataSetStart);
}

/** The same data set under a file meta that declares `transferSyntaxUID` (whatever the bytes are). */
export function redeclare(source: Uint8Array, transferSyntaxUID: string): Uint8Array {
  return part10(metaElements(source, transferSyntaxUID), dataSetOf(source));
}

/**
 * What the Python SDK 1.4.1 writes for an assembled series: the file meta says Implicit VR Little
 * Endian while pydicom kept writing the data set in the explicit VR it was read in.
 */
export function pythonSdkStyle(explicitSource: Uint8Array): Uint8Array {
  return redeclare(explicitSource, TransferSyntax.ImplicitVRLittleEndian);
}

/** A file meta group without TransferSyntaxUID (0002,0010). */
export function withoutTransferSyntax(source: Uint8Array): Uint8Array {
  return part10(metaElements(source, undefined), dataSetOf(source));
}

/** A file meta group whose FileMetaInformationGroupLength is off by `delta` bytes. */
export function wrongGroupLength(source: Uint8Array, delta: number): Uint8Array {
  const elements = metaElements(source, parseDicom(source).transferSyntaxUID);
  const length = elements.reduce((s, e) => s + e.length, 0);
  return part10(elements, dataSetOf(source), length + delta);
}

/** The file meta group without the 128-byte preamble and `DICM`. */
export function withoutPreamble(source: Uint8Array): Uint8Array {
  return source.subarray(132);
}
