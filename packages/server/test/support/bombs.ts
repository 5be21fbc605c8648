import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { makeNifti } from './nifti';

/** A PNG whose header declares `width`×`height` gray pixels, with only 64 KiB of zeros behind it. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // gray
  const idat = deflateSync(Buffer.alloc(64 * 1024));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A `.nii.gz` gzip bomb: the int16 header of a `dims` volume followed by `zeroBytes` zeros, which
 * gzip about a thousand to one.
 */
export function niftiGzBomb(dims: number[], zeroBytes: number): Uint8Array {
  const header = makeNifti([1, 1, 1], () => 0).subarray(0, 352);
  const declared = Buffer.from(header);
  declared.writeInt16LE(dims.length, 40);
  dims.forEach((d, i) => {
    declared.writeInt16LE(d, 42 + i * 2);
  });
  return gzipSync(Buffer.concat([declared, Buffer.alloc(zeroBytes)]));
}
