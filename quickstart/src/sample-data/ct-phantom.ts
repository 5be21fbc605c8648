import { randomBytes } from 'node:crypto';
import { writeNifti1 } from './nifti';
import { type Attribute, writePart10 } from './part10';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** The identifying values written into every slice, so a round trip can prove they are gone. */
export interface PhantomIdentity {
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  studyDate: string;
  accessionNumber: string;
  institutionName: string;
  referringPhysicianName: string;
}

export const DEFAULT_IDENTITY: PhantomIdentity = {
  patientName: 'PHANTOM^JANE^Q',
  patientId: 'QS-4711-0815',
  patientBirthDate: '19700304',
  studyDate: '20240115',
  accessionNumber: 'ACC20240115',
  institutionName: 'Quickstart General Hospital',
  referringPhysicianName: 'DOE^JOHN',
};

export interface PhantomOptions {
  /** Rows and columns (square). Default 64. */
  size?: number;
  slices?: number;
  /** In-plane pixel size in mm. */
  pixelSpacing?: number;
  sliceThickness?: number;
  identity?: PhantomIdentity;
}

export interface Phantom {
  /** One Part 10 file per slice, InstanceNumber 1..n from inferior to superior. */
  slices: { name: string; bytes: Uint8Array }[];
  /** Label volume (1 = bone, 2 = lesion) of the same grid, slice k = frame k. */
  mask: Uint8Array;
  /** `mask` as a NIfTI-1 file. */
  maskNifti: Uint8Array;
  size: number;
  identity: PhantomIdentity;
  seriesInstanceUid: string;
  /** Frames whose mask has lesion voxels. */
  lesionFrames: number[];
  /** Patient coordinates (mm) of slice k's first pixel, and the spacing. */
  origin: [number, number, number];
  pixelSpacing: number;
  sliceThickness: number;
}

/** A fresh UID under the UUID-derived root 2.25 (PS3.5 B.2), unique per call. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
}

const LABEL_BONE = 1;
const LABEL_LESION = 2;

/**
 * A synthetic CT head-sized phantom: air outside, a water ellipse (~40 HU) with a dense bone disc
 * (~700 HU) and a small hypodense lesion (~-30 HU) present in the middle slices. Pixel values are
 * signed 16-bit Hounsfield units; the mask labels the bone and the lesion.
 */
export function makeCtPhantom(options: PhantomOptions = {}): Phantom {
  const size = options.size ?? 64;
  const slices = options.slices ?? 8;
  const spacing = options.pixelSpacing ?? 0.8;
  const thickness = options.sliceThickness ?? 2.5;
  const identity = options.identity ?? DEFAULT_IDENTITY;
  const studyUid = newUid();
  const seriesUid = newUid();
  const frameOfReferenceUid = newUid();
  const origin: [number, number, number] = [
    (-size / 2) * spacing,
    (-size / 2) * spacing,
    -((slices - 1) * thickness) / 2,
  ];
  const mask = new Uint8Array(size * size * slices);
  const lesionFrames: number[] = [];
  const c = (size - 1) / 2;
  const out: Phantom['slices'] = [];

  for (let k = 0; k < slices; k++) {
    const pixels = new Int16Array(size * size);
    const lesionRadius = k >= Math.floor(slices / 4) && k < Math.ceil((3 * slices) / 4) ? size / 10 : 0;
    if (lesionRadius) lesionFrames.push(k);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = y * size + x;
        const dx = (x - c) / (size * 0.42);
        const dy = (y - c) / (size * 0.34);
        let hu = -1000;
        let label = 0;
        if (dx * dx + dy * dy <= 1) hu = 40 + ((x * 7 + y * 13 + k * 5) % 11) - 5;
        if (Math.hypot(x - c * 0.6, y - c) <= size / 8) {
          hu = 700;
          label = LABEL_BONE;
        }
        if (lesionRadius && Math.hypot(x - c * 1.35, y - c * 0.9) <= lesionRadius) {
          hu = -30;
          label = LABEL_LESION;
        }
        pixels[i] = hu;
        mask[k * size * size + i] = label;
      }
    }
    const sopInstanceUid = newUid();
    const z = origin[2] + k * thickness;
    // Written explicitly little endian: Int16Array bytes follow the machine's byte order.
    const pixelBytes = new Uint8Array(pixels.length * 2);
    const view = new DataView(pixelBytes.buffer);
    pixels.forEach((v, i) => {
      view.setInt16(i * 2, v, true);
    });
    const attributes: Attribute[] = [
      { tag: 0x00080005, value: 'ISO_IR 100' },
      { tag: 0x00080008, value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] },
      { tag: 0x00080016, value: CT_IMAGE_STORAGE },
      { tag: 0x00080018, value: sopInstanceUid },
      { tag: 0x00080020, value: identity.studyDate },
      { tag: 0x00080021, value: identity.studyDate },
      { tag: 0x00080030, value: '101500' },
      { tag: 0x00080050, value: identity.accessionNumber },
      { tag: 0x00080060, value: 'CT' },
      { tag: 0x00080070, value: 'Datamint quickstart' },
      { tag: 0x00080080, value: identity.institutionName },
      { tag: 0x00080090, value: identity.referringPhysicianName },
      { tag: 0x00081030, value: 'Quickstart phantom study' },
      { tag: 0x0008103e, value: 'Phantom axial' },
      { tag: 0x00100010, value: identity.patientName },
      { tag: 0x00100020, value: identity.patientId },
      { tag: 0x00100030, value: identity.patientBirthDate },
      { tag: 0x00100040, value: 'O' },
      { tag: 0x00180050, value: thickness },
      { tag: 0x00185100, value: 'HFS' },
      { tag: 0x0020000d, value: studyUid },
      { tag: 0x0020000e, value: seriesUid },
      { tag: 0x00200010, value: 'QS1' },
      { tag: 0x00200011, value: 1 },
      { tag: 0x00200013, value: k + 1 },
      { tag: 0x00200032, value: [origin[0], origin[1], z] },
      { tag: 0x00200037, value: [1, 0, 0, 0, 1, 0] },
      { tag: 0x00200052, value: frameOfReferenceUid },
      { tag: 0x00201041, value: z },
      { tag: 0x00280002, value: 1 },
      { tag: 0x00280004, value: 'MONOCHROME2' },
      { tag: 0x00280010, value: size },
      { tag: 0x00280011, value: size },
      { tag: 0x00280030, value: [spacing, spacing] },
      { tag: 0x00280100, value: 16 },
      { tag: 0x00280101, value: 16 },
      { tag: 0x00280102, value: 15 },
      { tag: 0x00280103, value: 1 },
      { tag: 0x00281050, value: 40 },
      { tag: 0x00281051, value: 400 },
      { tag: 0x00281052, value: 0 },
      { tag: 0x00281053, value: 1 },
      { tag: 0x7fe00010, vr: 'OW', value: pixelBytes },
    ];
    out.push({
      name: `CT_${String(k + 1).padStart(4, '0')}.dcm`,
      bytes: writePart10(attributes, { sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid }),
    });
  }
  const maskNifti = writeNifti1({
    dims: [size, size, slices],
    data: mask,
    spacing: [spacing, spacing, thickness],
    description: 'quickstart phantom labels: 1 bone, 2 lesion',
  });
  return {
    slices: out,
    mask,
    maskNifti,
    size,
    identity,
    seriesInstanceUid: seriesUid,
    lesionFrames,
    origin,
    pixelSpacing: spacing,
    sliceThickness: thickness,
  };
}
