/** A minimal single-file NIfTI-1 (`n+1`, little endian) with int16 voxels, for tests. */
export function makeNifti(
  dims: number[],
  voxel: (i: number) => number,
  options: { slope?: number; inter?: number } = {},
): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  header.writeInt16LE(dims.length, 40);
  dims.forEach((d, i) => {
    header.writeInt16LE(d, 42 + i * 2);
  });
  header.writeInt16LE(4, 70); // datatype int16
  header.writeInt16LE(16, 72); // bitpix
  for (let i = 0; i < 8; i++) header.writeFloatLE(1, 76 + i * 4); // pixdim
  header.writeFloatLE(352, 108); // vox_offset
  header.writeFloatLE(options.slope ?? 0, 112);
  header.writeFloatLE(options.inter ?? 0, 116);
  header.write('n+1\0', 344, 'latin1');
  const data = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) data.writeInt16LE(voxel(i), i * 2);
  return new Uint8Array(Buffer.concat([header, data]));
}
