/** One data element for the tiny explicit-VR-little-endian writer below. */
export interface El {
  tag: number;
  vr: string;
  value: string | number[] | Uint8Array;
}

const LONG = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function encodeValue(el: El): Buffer {
  if (el.value instanceof Uint8Array) return Buffer.from(el.value);
  if (typeof el.value === 'string') {
    let s = Buffer.from(el.value, 'latin1');
    if (s.length % 2) s = Buffer.concat([s, Buffer.from(el.vr === 'UI' ? [0] : [0x20])]);
    return s;
  }
  const size = el.vr === 'US' || el.vr === 'SS' ? 2 : 4;
  const out = Buffer.alloc(el.value.length * size);
  el.value.forEach((v, i) => {
    if (el.vr === 'US') out.writeUInt16LE(v, i * 2);
    else if (el.vr === 'SS') out.writeInt16LE(v, i * 2);
    else out.writeUInt32LE(v, i * 4);
  });
  return out;
}

function encodeElement(el: El): Buffer {
  const value = encodeValue(el);
  const head = Buffer.alloc(LONG.has(el.vr) ? 12 : 8);
  head.writeUInt16LE(el.tag >>> 16, 0);
  head.writeUInt16LE(el.tag & 0xffff, 2);
  head.write(el.vr, 4, 'latin1');
  if (LONG.has(el.vr)) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

export interface SyntheticDicom {
  rows: number;
  columns: number;
  frames: number;
  /** Stored value of pixel i of frame f. */
  pixel: (f: number, i: number) => number;
  bits?: 8 | 16;
  signed?: boolean;
  window?: { center: number; width: number };
  modality?: string;
  photometric?: string;
  studyUid?: string;
  seriesUid?: string;
  sopUid?: string;
}

/** A Part-10 file, explicit VR little endian, with native (uncompressed) pixel data. */
export function makeDicom(d: SyntheticDicom): Uint8Array {
  const bits = d.bits ?? 16;
  const ts = '1.2.840.10008.1.2.1';
  const metaBody = Buffer.concat([
    encodeElement({ tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) }),
    encodeElement({ tag: 0x00020002, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' }),
    encodeElement({ tag: 0x00020003, vr: 'UI', value: d.sopUid ?? '1.2.3.4.5.6.7' }),
    encodeElement({ tag: 0x00020010, vr: 'UI', value: ts }),
  ]);
  const groupLength = encodeElement({ tag: 0x00020000, vr: 'UL', value: [metaBody.length] });
  const count = d.rows * d.columns;
  const pixels = Buffer.alloc(count * d.frames * (bits / 8));
  for (let f = 0; f < d.frames; f++) {
    for (let i = 0; i < count; i++) {
      const v = d.pixel(f, i);
      const at = (f * count + i) * (bits / 8);
      if (bits === 8) pixels.writeUInt8(v, at);
      else if (d.signed) pixels.writeInt16LE(v, at);
      else pixels.writeUInt16LE(v, at);
    }
  }
  const elements: El[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
    { tag: 0x00080018, vr: 'UI', value: d.sopUid ?? '1.2.3.4.5.6.7' },
    { tag: 0x00080060, vr: 'CS', value: d.modality ?? 'OT' },
    { tag: 0x0020000d, vr: 'UI', value: d.studyUid ?? '1.2.3.4.5.1' },
    { tag: 0x0020000e, vr: 'UI', value: d.seriesUid ?? '1.2.3.4.5.2' },
    { tag: 0x00280002, vr: 'US', value: [1] },
    { tag: 0x00280004, vr: 'CS', value: d.photometric ?? 'MONOCHROME2' },
    ...(d.frames > 1 ? [{ tag: 0x00280008, vr: 'IS', value: String(d.frames) }] : []),
    { tag: 0x00280010, vr: 'US', value: [d.rows] },
    { tag: 0x00280011, vr: 'US', value: [d.columns] },
    { tag: 0x00280100, vr: 'US', value: [bits] },
    { tag: 0x00280101, vr: 'US', value: [bits] },
    { tag: 0x00280102, vr: 'US', value: [bits - 1] },
    { tag: 0x00280103, vr: 'US', value: [d.signed ? 1 : 0] },
    ...(d.window
      ? [
          { tag: 0x00281050, vr: 'DS', value: String(d.window.center) },
          { tag: 0x00281051, vr: 'DS', value: String(d.window.width) },
        ]
      : []),
    { tag: 0x7fe00010, vr: bits === 8 ? 'OB' : 'OW', value: new Uint8Array(pixels) },
  ];
  return new Uint8Array(
    Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM', 'latin1'),
      groupLength,
      metaBody,
      ...elements.map(encodeElement),
    ]),
  );
}
