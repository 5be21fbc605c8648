import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Api,
  ResourceNotFoundError,
  UploadFileError,
  ValidationError,
  WorklistEntity as Worklist,
  type WorklistEntity,
} from '../src';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { API_KEY, type ApiHarness, startApiHarness } from './helpers/server';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let worklist: WorklistEntity;
let dir: string;
let ids: string[];
const MISSING = '00000000-0000-4000-8000-000000000000';
const ME = 'tester@datamint.local';

beforeAll(async () => {
  h = await startApiHarness({
    uploads: [0, 1, 2].map((s) => ({ name: `l${s}.png`, data: grayPng(5, 4, s) })),
  });
  ({ proxy, api, ids } = h);
  worklist = await api.annotationWorklists.create('Labels', [ids[0]!, ids[1]!], {
    annotators: [{ email: ME, expertise_level: 'expert' }],
  });
  dir = await mkdtemp(join(tmpdir(), 'api-worklist-work-'));
});
afterAll(async () => {
  await h?.close();
});

describe('api.annotationWorklists: segmentation group', () => {
  it('puts, gets and deletes labels with the platform body', async () => {
    proxy.take();
    await api.annotationWorklists.updateSegmentationGroup(worklist, [
      { identifier: 'liver', color: '#ff0000', index: 1 },
      { identifier: 'tumor', color: '#00ff00', index: 2 },
    ]);
    const put = proxy.take()[0];
    expect(put).toMatchObject({ method: 'PUT', url: `/annotationsets/${worklist.id}/segmentation-group` });
    expect(put?.body.toString()).toBe(
      '{"segmentationData": {"segmentationValueType": "single_label", "definitions": [{"identifier": "liver", "color": "#ff0000", "index": 1}, {"identifier": "tumor", "color": "#00ff00", "index": 2}]}}',
    );
    const group = (await api.annotationWorklists.getSegmentationGroup(worklist)) as {
      groups: Record<string, { index: number }>;
    };
    expect(group.groups.liver?.index).toBe(1);
    await api.annotationWorklists.deleteSegmentationGroup(worklist, 'tumor');
    expect(proxy.take().at(-1)).toMatchObject({
      method: 'DELETE',
      url: `/annotationsets/${worklist.id}/segmentation-group/tumor`,
    });
    const after = (await api.annotationWorklists.getSegmentationGroup(worklist)) as {
      groups: Record<string, unknown>;
    };
    expect(Object.keys(after.groups)).toEqual(['liver']);
    await expect(
      api.annotationWorklists.updateSegmentationGroup(worklist, [{} as never]),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('uploads a label file read from disk, sending its base name, never the local path', async () => {
    const file = join(dir, 'labels.json');
    writeFileSync(
      file,
      JSON.stringify({ definitions: [{ identifier: 'spleen', color: '#0000ff', index: 3 }] }),
    );
    proxy.take();
    await api.annotationWorklists.uploadSegmentationGroup(worklist, file, { replaceExisting: false });
    const post = proxy.take()[0]!;
    expect(post.url).toBe(`/annotationsets/${worklist.id}/segmentation-group/upload`);
    const body = post.body.toString();
    expect(body.indexOf('name="replace_existing"')).toBeLessThan(body.indexOf('name="file"'));
    expect(body).toContain('filename="labels.json"');
    expect(body).not.toContain(dir);
    expect(body).toContain('"spleen"');
    const group = (await api.annotationWorklists.getSegmentationGroup(worklist)) as {
      groups: Record<string, unknown>;
    };
    expect(Object.keys(group.groups).sort()).toEqual(['liver', 'spleen']);
    await expect(
      api.annotationWorklists.uploadSegmentationGroup(worklist, join(dir, 'absent.json')),
    ).rejects.toBeInstanceOf(UploadFileError);
    await expect(
      api.annotationWorklists.uploadSegmentationGroup(worklist, { name: 'a.txt', data: new Uint8Array(1) }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('api.annotationWorklists: resources, annotators, statistics', () => {
  it('uploads annotations with their mask and reads them back', async () => {
    proxy.take();
    const created = await api.annotationWorklists.uploadAnnotations(
      worklist,
      ids[0]!,
      [{ identifier: 'liver', frame_index: 0, width: 5, height: 4 }],
      { image: { name: join('deep', 'mask.png'), data: grayPng(5, 4, 255) } },
    );
    expect(Array.isArray(created)).toBe(true);
    const post = proxy.take()[0]!;
    expect(post.url).toBe(`/annotationsets/${worklist.id}/resources/${ids[0]}/segmentations`);
    expect(post.body.toString()).toContain('filename="mask.png"');
    const segs = await api.annotationWorklists.getSegmentations(worklist, ids[0]!);
    await api.annotationWorklists.getAnnotations(worklist, ids[0]!, { all: false, annotatorEmail: ME });
    await api.annotationWorklists.getAiSegmentations(worklist, ids[0]!);
    expect(proxy.take().map((r) => r.url)).toEqual([
      `/annotationsets/${worklist.id}/resources/${ids[0]}/segmentations?all=true`,
      `/annotationsets/${worklist.id}/resources/${ids[0]}/annotations?all=false&annotator=tester%40datamint.local`,
      `/annotationsets/${worklist.id}/resources/${ids[0]}/ai_segmentations`,
    ]);
    expect(JSON.stringify(segs)).toContain('liver');
  });

  it('sets statuses, annotators and resources with the platform bodies', async () => {
    proxy.take();
    await api.annotationWorklists.updateAnnotationStatus(worklist, ids[0]!, {
      status: 'annotated',
      annotatorEmail: ME,
      message: 'done',
    });
    expect(proxy.take()[0]).toMatchObject({
      method: 'POST',
      url: `/annotationsets/${worklist.id}/resources/${ids[0]}/status`,
      json: { status: 'annotated', annotator: ME, message: 'done' },
    });
    await api.annotationWorklists.resetAnnotatorStatus(worklist, ids[0]!, ME);
    expect(proxy.take()[0]).toMatchObject({
      method: 'DELETE',
      url: `/annotationsets/${worklist.id}/resources/${ids[0]}/annotator/tester%40datamint.local/status-reset`,
    });
    await api.users.create('second@x.io');
    proxy.take();
    await api.annotationWorklists.setAnnotator(worklist, 'second@x.io', {
      status: 'active',
      expertiseLevel: 'learner',
    });
    expect(proxy.take()[0]).toMatchObject({
      url: `/annotationsets/${worklist.id}/annotators/second%40x.io`,
      json: { status: 'active', expertise_level: 'learner' },
    });
    expect((await api.annotationWorklists.getById(worklist.id)).annotators.map((a) => a.email)).toContain(
      'second@x.io',
    );
    await api.annotationWorklists.removeAnnotator(worklist, 'second@x.io');
    expect(proxy.take().at(-1)).toMatchObject({ method: 'DELETE' });
    await api.annotationWorklists.updateResources(worklist, { add: [ids[2]!], remove: [ids[1]!] });
    expect(proxy.take()[0]).toMatchObject({
      url: `/annotationsets/${worklist.id}/resources`,
      json: { resource_ids_to_add: [ids[2]], resource_ids_to_delete: [ids[1]] },
    });
    expect((await api.annotationWorklists.getById(worklist.id)).resourceIds.sort()).toEqual(
      [ids[0], ids[2]].sort(),
    );
    await expect(
      api.annotationWorklists.updateAnnotationStatus(worklist, ids[0]!, { status: 'done' as 'closed' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      api.annotationWorklists.setAnnotator(worklist, ME, {
        status: 'gone' as 'active',
        expertiseLevel: 'expert',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(api.annotationWorklists.updateResources(worklist, {})).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('reads statuses and statistics, and streams the export', async () => {
    proxy.take();
    await api.annotationWorklists.getAnnotatorStatus(worklist, ME);
    await api.annotationWorklists.getAnnotationStatuses(worklist, { userId: ME });
    await api.annotationWorklists.getAnnotatorsStatistics(worklist, { annotatorEmail: ME });
    await api.annotationWorklists.getAnnotationsStatistics(worklist);
    expect(proxy.take().map((r) => r.url)).toEqual([
      `/annotationsets/${worklist.id}/users/tester%40datamint.local`,
      `/annotationsets/${worklist.id}/annotation-statuses?user_id=tester%40datamint.local`,
      `/annotationsets/${worklist.id}/annotators-statistic?email=tester%40datamint.local`,
      `/annotationsets/${worklist.id}/annotations-statistic`,
    ]);
    const out = join(dir, 'wl.csv');
    const written = await api.annotationWorklists.downloadAnnotations(worklist, out, {
      format: 'excel',
      annotations: ['liver'],
    });
    expect(proxy.take()[0]?.url).toBe(
      `/annotationsets/${worklist.id}/download-annotations?format=excel&annotations%5B%5D=liver`,
    );
    expect(readFileSync(out).subarray(0, 2).toString('latin1')).toBe('PK');
    expect(written.bytes).toBe(readFileSync(out).length);
    const missing = join(dir, 'none.csv');
    await expect(api.annotationWorklists.downloadAnnotations(MISSING, missing)).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
    expect(existsSync(missing)).toBe(false);
  });

  it('lists every worklist past one page (the older listing)', async () => {
    for (const name of ['A', 'B', 'C']) await api.annotationWorklists.create(name, [ids[0]!]);
    const paged = new Api({ rootUrl: proxy.url, apiKey: API_KEY, configFile: null, env: {}, pageSize: 2 });
    try {
      proxy.take();
      const all = await paged.annotationWorklists.getList().toArray();
      expect(all.every((w) => w instanceof Worklist)).toBe(true);
      expect(all.map((w) => w.name).sort()).toEqual(['A', 'B', 'C', 'Labels']);
      expect(proxy.take().map((r) => r.url)).toEqual([
        '/annotationsets?offset=0&limit=2',
        '/annotationsets?offset=2&limit=2',
        '/annotationsets?offset=4&limit=2',
      ]);
    } finally {
      await paged.close();
    }
  });
});
