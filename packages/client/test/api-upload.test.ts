import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeFrame, type ParsedDicom, parseDicom, TransferSyntax, writeDicom } from '@datamint/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiUploadResult, ResourceNotFoundError, UploadFileError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng, maskPng } from './helpers/images';
import { partsOf } from './helpers/multipart-parts';
import { type RecordedRequest, type RecordingProxy, recordingProxy } from './helpers/recording-proxy';
import { API_KEY, type ApiHarness, startApiHarness } from './helpers/server';

const hasData = requireData();
const SERIES = `${dataDir}/dicom/series/pydicom_ct5n`;
const SLICES = ['2062.dcm', '2392.dcm', '2693.dcm', '3023.dcm', '3353.dcm'];

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let dir: string;

beforeAll(async () => {
  h = await startApiHarness();
  ({ proxy, api, tmp: dir } = h);
});
afterAll(async () => {
  await h?.close();
});

/** The `POST /resources` requests since the last call, each as its parts (name → text). */
function resourcePosts(): { parts: ReturnType<typeof partsOf>; text: Record<string, string> }[] {
  return proxy
    .take()
    .filter((r: RecordedRequest) => r.method === 'POST' && r.url === '/resources')
    .map((r) => {
      const parts = partsOf(r);
      const text: Record<string, string> = {};
      for (const p of parts) if (p.name !== 'resource') text[p.name] = p.body.toString('utf8');
      return { parts, text };
    });
}

function okId(result: ApiUploadResult | undefined): string {
  if (!result?.ok) throw new Error(`upload failed: ${JSON.stringify(result)}`);
  return result.id;
}

async function stored(id: string): Promise<ParsedDicom> {
  return parseDicom(await api.resources.downloadResourceFile(id));
}

async function framePixels(dicom: ParsedDicom, k: number): Promise<Buffer> {
  const { pixels } = await decodeFrame(dicom, k);
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

/** A copy of a slice with changed attributes (a new SOP instance, so it is a file of its own). */
async function editedSlice(name: string, edits: Record<string, string>): Promise<string> {
  const parsed = parseDicom(await readFile(`${SERIES}/${SLICES[0]}`));
  const out = writeDicom(
    parsed,
    Object.entries(edits).map(([tag, value]) => ({ tag, action: 'set' as const, value })),
  );
  const file = path.join(dir, name);
  await writeFile(file, out);
  return file;
}

describe.skipIf(!hasData)('api.resources.uploadResources (the platform client pipeline)', () => {
  it('skips the report, assembles the series as anonymized JPEG-LS ordered by position, tags laterality, sends metadata, publishes on creation', async () => {
    const slices = await Promise.all(
      // Shuffled: the frames must come out ordered by position, not by input order.
      [3, 0, 4, 1, 2].map(async (i) => {
        const to = path.join(dir, SLICES[i]!);
        await copyFile(`${SERIES}/${SLICES[i]}`, to);
        return to;
      }),
    );
    const report = path.join(dir, 'report.dcm');
    await copyFile(`${dataDir}/dicom/structure/reportsi.dcm`, report);
    const lateral = await editedSlice('lateral.dcm', {
      ImageLaterality: 'L',
      SeriesInstanceUID: '1.2.826.0.1.3680043.8.498.1',
      SOPInstanceUID: '1.2.826.0.1.3680043.8.498.2',
    });
    const png = path.join(dir, 'img é 1.png');
    await writeFile(png, grayPng(8, 6, 3));
    const inputs = [...slices, report, lateral, png];
    proxy.take();
    const results = await api.resources.uploadResources(inputs, {
      anonymize: true,
      tags: [' t1 '],
      channel: 'ch-v2',
      publish: true,
      metadataFiles: [...inputs.slice(0, -1).map(() => null), { Modality: 'XX', k: 'é' }],
    });

    // One result per input, in input order; the report is there, marked skipped.
    expect(results.map((r) => r.source)).toEqual(inputs);
    const seriesId = okId(results[0]);
    for (const r of results.slice(0, 5))
      expect(r).toMatchObject({ ok: true, id: seriesId, assembledFrom: 5 });
    expect(results[5]).toMatchObject({ ok: false, skipped: true, reason: 'dicom report' });
    expect(String((results[5] as { error: Error }).error.message)).toMatch(/discardDicomReports/);
    const lateralId = okId(results[6]);
    const pngId = okId(results[7]);

    const posts = resourcePosts();
    expect(posts).toHaveLength(3);
    // Sent concurrently: found by what they carry.
    const named = (test: (name: string) => boolean) => posts.find((p) => test(p.parts[1]!.filename!))!;
    const side = named((n) => n === 'lateral.dcm');
    const image = named((n) => n.endsWith('.png'));
    const series = named((n) => n !== 'lateral.dcm' && !n.endsWith('.png'));
    const seriesName = series.parts[1]!.filename!;
    expect(seriesName).toMatch(/\.dcm$/);
    expect(series.parts.map((p) => [p.name, p.contentType])).toEqual([
      ['source', 'text/plain; charset=utf-8'],
      ['resource', 'application/dicom'],
      ['source_filepath', 'text/plain; charset=utf-8'],
      ['mimetype', 'text/plain; charset=utf-8'],
      ['channel', 'text/plain; charset=utf-8'],
      ['bypass_inbox', 'text/plain; charset=utf-8'],
      ['tags', 'text/plain; charset=utf-8'],
    ]);
    expect(series.text).toEqual({
      source: 'api',
      source_filepath: path.join(dir, seriesName),
      mimetype: 'application/dicom',
      channel: 'ch-v2',
      bypass_inbox: 'true',
      tags: 't1',
    });
    expect(side.text).toMatchObject({ source_filepath: lateral, bypass_inbox: 'true', tags: 't1,left' });
    expect(side.parts[1]!.filename).toBe('lateral.dcm');
    expect(image.parts.map((p) => p.name)).toEqual([
      'source',
      'resource',
      'source_filepath',
      'mimetype',
      'channel',
      'modality',
      'bypass_inbox',
      'tags',
      'metadata',
    ]);
    expect(image.parts[1]).toMatchObject({ contentType: 'image/png', filename: 'img%20%C3%A9%201.png' });
    expect(image.parts[8]!.contentType).toBe('application/json');
    expect(image.text).toMatchObject({
      mimetype: 'image/png',
      modality: 'XX',
      metadata: '{"Modality": "XX", "k": "\\u00e9"}',
    });
    // Created published: no publish request follows.
    expect(proxy.take().filter((r) => r.url.endsWith('/publish'))).toEqual([]);
    for (const id of [seriesId, lateralId, pngId]) {
      expect((await api.resources.getById(id)).status).toBe('published');
    }
    expect((await api.resources.getById(lateralId)).tags).toEqual(['t1', 'left']);

    // What the server stored: JPEG-LS, anonymized, frames in position order with the source pixels.
    const dicom = await stored(seriesId);
    expect(dicom.transferSyntaxUID).toBe(TransferSyntax.JPEGLSLossless);
    expect(dicom.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.80');
    expect(dicom.numberOfFrames).toBe(5);
    const sources = await Promise.all(SLICES.map(async (s) => parseDicom(await readFile(`${SERIES}/${s}`))));
    expect(dicom.string('PatientName')).not.toBe(sources[0]!.string('PatientName'));
    const byPosition = [...sources].sort(
      (a, b) => a.numbers('ImagePositionPatient')![2]! - b.numbers('ImagePositionPatient')![2]!,
    );
    for (let k = 0; k < 5; k++) {
      expect((await framePixels(dicom, k)).equals(await framePixels(byPosition[k]!, 0))).toBe(true);
    }
  });

  it("stores native pixels with compression: 'none', and groups two orientations of one series as two resources", async () => {
    const sub = await mkdtemp(path.join(dir, 'orient-'));
    const files = await Promise.all(
      SLICES.slice(0, 4).map(async (s) => {
        await copyFile(`${SERIES}/${s}`, path.join(sub, s));
        return path.join(sub, s);
      }),
    );
    // Two slices of the same series turned sagittal: the platform groups them apart.
    for (const [i, file] of files.slice(2).entries()) {
      const parsed = parseDicom(await readFile(file));
      await writeFile(
        file,
        writeDicom(parsed, [
          { tag: 'ImageOrientationPatient', action: 'set', value: '0\\1\\0\\0\\0\\-1' },
          { tag: 'ImagePositionPatient', action: 'set', value: `${i * 5}\\0\\0` },
        ]),
      );
    }
    proxy.take();
    const results = await api.resources.uploadResources(files, { compression: 'none' });
    const ids = results.map(okId);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe(ids[3]);
    const posts = resourcePosts();
    expect(posts.map((p) => p.text.bypass_inbox)).toEqual(['false', 'false']);
    for (const id of new Set(ids)) {
      const dicom = await stored(id);
      expect(dicom.numberOfFrames).toBe(2);
      expect(dicom.transferSyntaxUID).not.toBe(TransferSyntax.JPEGLSLossless);
      expect(dicom.transferSyntaxUID).toBe(TransferSyntax.ExplicitVRLittleEndian);
    }
    // The same files with the default grouping of APIHandler (by series): one resource of 4 frames.
    const bySeries = await api.resources.uploadResources(files, { seriesGrouping: 'series' });
    expect(new Set(bySeries.map(okId)).size).toBe(1);
  });

  it('publishTo resolves the project first, uploads with bypass_inbox and links the ids in one request', async () => {
    const project = await api.projects.create(`upload-target-${Date.now()}`);
    const png = path.join(dir, 'for-project.png');
    await writeFile(png, grayPng(5, 5, 9));
    proxy.take();
    const [result] = await api.resources.uploadResources([png], { publishTo: project.name });
    const id = okId(result);
    const requests = proxy.take();
    expect(requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'GET /projects',
      'POST /resources',
      `POST /projects/${project.id}/resources`,
    ]);
    expect(requests[0]!.url).toBe('/projects?includeArchived=true&offset=0&limit=5000');
    expect(
      partsOf(requests[1]!)
        .find((p) => p.name === 'bypass_inbox')
        ?.body.toString(),
    ).toBe('true');
    expect(requests[2]!.json).toEqual({ resource_ids_to_add: [id], all_files_selected: false });
    const inProject = await api.projects.getProjectResources(project).toArray();
    expect(inProject.map((r) => r.id)).toContain(id);

    // An unknown project fails before anything is sent.
    const error = await api.resources
      .uploadResources([png], { publishTo: 'no such project' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(proxy.take().filter((r) => r.url === '/resources')).toEqual([]);
  });

  it('publishTo: when linking the ids to the project fails, every unit of the request fails with its id', async () => {
    const project = await api.projects.create(`link-refused-${Date.now()}`);
    const refusing = await recordingProxy(h.server.url, {
      refuse: (r) => (r.method === 'POST' && r.url === `/projects/${project.id}/resources` ? 400 : undefined),
    });
    const viaRefusing = new Api({ rootUrl: refusing.url, apiKey: API_KEY, configFile: null, env: {} });
    try {
      const pngs = [1, 2].map((i) => path.join(dir, `link-refused-${i}.png`));
      for (const [i, png] of pngs.entries()) await writeFile(png, grayPng(5, 5, 60 + i));
      const results = await viaRefusing.resources.uploadResources(pngs, {
        publishTo: project.name,
        onError: 'skip',
      });
      expect(results.map((r) => [path.basename(r.source), r.ok])).toEqual([
        ['link-refused-1.png', false],
        ['link-refused-2.png', false],
      ]);
      for (const r of results) {
        if (r.ok) throw new Error('unreachable');
        expect(r.error).toBeInstanceOf(UploadFileError);
        expect(r.error.cause).toMatchObject({ status: 400 });
        // Created (published, with bypass_inbox), just not in the project.
        expect((await api.resources.getById((r as { id: string }).id)).status).toBe('published');
      }
      expect(await api.projects.getProjectResources(project).toArray()).toEqual([]);

      const raised = await viaRefusing.resources
        .uploadResources([pngs[0]!], { publishTo: project.name })
        .catch((e: unknown) => e);
      expect(raised).toMatchObject({ status: 400 });
    } finally {
      await viaRefusing.close();
      await refusing.close();
    }
  });

  it('uploadResource: one file, the id back, the standard mimetype always sent (NIfTI, extensionless DICOM, unknown)', async () => {
    const odd = path.join(dir, 'notes.xyz');
    await writeFile(odd, 'plain text');
    proxy.take();
    const nifti = await api.resources.uploadResource(`${dataDir}/nifti/little.nii.gz`);
    const bare = await api.resources.uploadResource(`${dataDir}/dicom/series/dcm_qa_ct_philips_S2010/I10`);
    const other = await api.resources.uploadResource(odd);
    const posts = resourcePosts();
    expect(posts.map((p) => [p.text.mimetype, p.parts[1]!.contentType])).toEqual([
      ['application/nifti', 'application/nifti'],
      ['application/dicom', 'application/dicom'],
      ['application/octet-stream', 'application/octet-stream'],
    ]);
    expect((await api.resources.getById(nifti)).isNifti()).toBe(true);
    expect((await api.resources.getById(bare)).isDicom()).toBe(true);
    expect((await api.resources.getById(other)).kind).toBe('other');
    await expect(api.resources.uploadResource(path.join(dir, 'missing.png'))).rejects.toThrow(/missing\.png/);
    await expect(api.resources.uploadResource(dir)).rejects.toThrow(/use uploadResources for a folder/);
    // A given mimetype goes through the same standardisation table.
    proxy.take();
    await api.resources.uploadResource(`${SERIES}/${SLICES[0]}`, { mimetype: 'image/x-dicom' });
    await api.resources.uploadResource(odd, { mimetype: ' Application/X-GZIP ' });
    await api.resources.uploadResource(odd, { mimetype: 'image/x.nifti' });
    expect(resourcePosts().map((p) => p.text.mimetype)).toEqual([
      'application/dicom',
      'application/gzip',
      'application/nifti',
    ]);
  });

  it('D17/D31: a single input is one upload; source_filepath stays as given unless absoluteSourcePaths', async () => {
    proxy.take();
    const single = await api.resources.uploadResources({ name: 'scans/rel.png', data: grayPng(4, 3, 2) });
    expect(single).toHaveLength(1);
    okId(single[0]);
    await api.resources.uploadResources([{ name: 'scans/rel.png', data: grayPng(4, 3, 2) }], {
      absoluteSourcePaths: true,
    });
    expect(resourcePosts().map((p) => p.text.source_filepath)).toEqual([
      'scans/rel.png',
      path.resolve('scans/rel.png'),
    ]);
    await expect(
      api.resources.uploadResources([], { absoluteSourcePaths: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/absoluteSourcePaths/);
    await expect(
      api.resources.uploadResources([{ name: 'a.png', data: grayPng(2, 2) }], {
        seriesGrouping: 'study' as 'series',
      }),
    ).rejects.toThrow(/seriesGrouping/);
    await expect(
      api.resources.uploadResources([{ name: 'a.png', data: grayPng(2, 2) }], { concurrency: 0 }),
    ).rejects.toThrow(/concurrency/);
    expect(resourcePosts()).toEqual([]);
  });

  it('masks travel as the platform client sends them: NIfTI as one label volume, PNGs as grayscale frames', async () => {
    const { writeNifti } = await import('@datamint/segmentation');
    const { gzipSync } = await import('node:zlib');
    const [NX, NY, NZ] = [64, 64, 21];
    const labels = new Uint8Array(NX * NY * NZ).map((_, i) => (i % 97 === 0 ? 1 : 0));
    const seg = path.join(dir, 'seg.nii.gz');
    await writeFile(seg, gzipSync(writeNifti({ data: labels, shape: [NX, NY, NZ] })));
    const image = path.join(dir, 'masked.png');
    await writeFile(image, grayPng(6, 4, 1));
    const mask = path.join(dir, 'masked-mask.png');
    await writeFile(
      mask,
      maskPng(6, 4, (x) => (x === 0 ? 1 : 0)),
    );
    proxy.take();
    const results = await api.resources.uploadResources([`${dataDir}/nifti/little.nii.gz`, image], {
      segmentationFiles: [
        { files: [seg], names: [{ 1: 'liver' }] },
        { files: [mask], names: [{ 1: 'edge' }] },
      ],
      modelName: 'seg-model',
    });
    const [niiId, pngId] = results.map(okId);
    for (const r of results) expect(r.ok && r.segmentationIds).toHaveLength(1);
    const posts = proxy.take().filter((r) => r.method === 'POST' && r.url.startsWith('/annotations/'));
    const volume = posts.find((r) => r.url === `/annotations/${niiId}/segmentations/file`)!;
    expect(partsOf(volume).map((p) => [p.name, p.body.length > 100 ? 'bytes' : p.body.toString()])).toEqual([
      ['file', 'bytes'],
      ['model_id', 'seg-model'],
      ['source', 'imported'],
      ['segmentation_map', '{"1":"liver"}'],
    ]);
    const frame = posts.find((r) => r.url === `/annotations/${pngId}/annotations`)!;
    expect(frame.json).toEqual([
      {
        type: 'segmentation',
        identifier: 'edge',
        scope: 'frame',
        frame_index: 0,
        is_model: true,
        model_id: 'seg-model',
        source: 'imported',
      },
    ]);
    await expect(api.resources.uploadResources([image], { modelName: '' })).rejects.toThrow(/modelName/);
    const file = posts.find((r) => r.url.startsWith(`/annotations/${pngId}/annotations/`))!;
    const [png] = partsOf(file);
    // PNG colour type (IHDR byte 25): 0 = grayscale, as the platform's client sends masks.
    expect(png!.body[25]).toBe(0);

    // A label volume needs a value → name map; one name is refused (Python raises NotImplementedError).
    const [refused] = await api.resources.uploadResources([`${dataDir}/nifti/little.nii.gz`], {
      segmentationFiles: [{ files: [seg], names: ['liver'] }],
      onError: 'skip',
    });
    expect(refused).toMatchObject({ ok: false, id: expect.any(String) });
    expect(String((refused as { error: Error }).error.message)).toMatch(/labelValue: name/);
  });
});
