// Compiled by test/browser-types.test.ts in a browser-only TypeScript project.
import { anonymizeDicom, assembleSeries, decodeFrame, isDicom, parseDicom } from '@datamint/dicom';
import { encodeMaskPng, readMask, splitLabels } from '@datamint/segmentation';

export async function onDrop(files: readonly File[]): Promise<Blob[]> {
  const out: Blob[] = [];
  const slices = [];
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (!isDicom(bytes)) continue;
    const parsed = parseDicom(bytes, { fileName: file.name });
    if (parsed.numberOfFrames > 0) await decodeFrame(parsed, 0);
    const clean = anonymizeDicom(bytes, { fileName: file.name });
    slices.push({ name: file.name, load: async () => clean });
  }
  const { outputs } = await assembleSeries(slices);
  for (const o of outputs) out.push(new Blob([o.bytes as Uint8Array<ArrayBuffer>]));
  return out;
}

export function masks(png: Uint8Array): Uint8Array[] {
  return [...splitLabels(readMask(png, { fileName: 'mask.png' }))].map((item) => encodeMaskPng(item.mask));
}
