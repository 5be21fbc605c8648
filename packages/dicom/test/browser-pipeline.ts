/**
 * The pipeline the browser tests and the browser bench run, as JavaScript source: the same text is
 * evaluated in Node (against the package sources) and in a Chromium page (against the built files
 * loaded through an import map), so both sides make exactly the same calls. It is a string, not a
 * function, because vitest rewrites `import()` inside test code and a page cannot run that.
 *
 * `pipeline(dicom, segmentation, input, io)`: anonymizes `input.files`, anonymizes and assembles
 * `input.series`, decodes frame 0 of `input.compressed` and splits/encodes `input.masks`, returning
 * `{ label: sha256 }` for every output (and counts), with `io.get(path)` reading bytes and
 * `io.hash(bytes)` hashing them.
 */
export const PIPELINE_SOURCE = `async function pipeline(dicom, segmentation, input, io) {
  const out = {};
  for (const name of input.files) {
    const bytes = await io.get(name);
    out['anonymize ' + name] = await io.hash(dicom.anonymizeDicom(bytes, { key: input.key, fileName: name }));
  }
  if (input.series.length > 0) {
    let uid = 0;
    const anonymizer = dicom.createAnonymizer({ key: input.key });
    const slices = input.series.map((name) => ({
      name,
      load: async () => anonymizer.anonymize(await io.get(name), { fileName: name }),
    }));
    const { outputs, unassembled } = await dicom.assembleSeries(slices, { newUid: () => '2.25.' + ++uid });
    for (const o of outputs) out['assemble ' + o.name] = await io.hash(o.bytes);
    out.unassembled = String(unassembled.length);
  }
  for (const name of input.compressed) {
    const frame = await dicom.decodeFrame(dicom.parseDicom(await io.get(name), { fileName: name }), 0);
    const p = frame.pixels;
    out['decode ' + name] = await io.hash(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  }
  for (const name of input.masks) {
    const volume = segmentation.readMask(await io.get(name), { fileName: name });
    for (const item of segmentation.splitLabels(volume, { names: 'label' })) {
      out['mask ' + name + ' ' + item.frame + ' ' + item.identifier] = await io.hash(segmentation.encodeMaskPng(item.mask));
    }
  }
  return out;
}`;

/** What {@link PIPELINE_SOURCE} processes: paths relative to the shared data folder. */
export interface PipelineInput {
  key: string;
  files: string[];
  series: string[];
  compressed: string[];
  masks: string[];
}

/** The reads and hashes the pipeline does through its host (Node or the page). */
export interface PipelineIo {
  get(name: string): Promise<Uint8Array>;
  hash(bytes: Uint8Array): Promise<string>;
}

type Pipeline = (
  dicom: unknown,
  segmentation: unknown,
  input: PipelineInput,
  io: PipelineIo,
) => Promise<Record<string, string>>;

/** {@link PIPELINE_SOURCE} as a Node function. */
export function nodePipeline(): Pipeline {
  return new Function(`return (${PIPELINE_SOURCE})`)() as Pipeline;
}

/**
 * A page expression that imports both libraries through the page's import map and runs the
 * pipeline, fetching inputs from `baseUrl` + path.
 */
export function pageScript(input: PipelineInput, baseUrl: string): string {
  return `(async () => {
    const pipeline = ${PIPELINE_SOURCE};
    const dicom = await import('@datamint/dicom');
    const segmentation = await import('@datamint/segmentation');
    const io = {
      get: async (name) => {
        const response = await fetch(${JSON.stringify(baseUrl)} + name);
        if (!response.ok) throw new Error(name + ': HTTP ' + response.status);
        return new Uint8Array(await response.arrayBuffer());
      },
      hash: async (bytes) =>
        Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join(''),
    };
    return pipeline(dicom, segmentation, ${JSON.stringify(input)}, io);
  })()`;
}
