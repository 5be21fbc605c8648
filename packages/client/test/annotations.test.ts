import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, type Project, ResourceNotFoundError, ValidationError } from '../src';
import { grayPng, maskPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

let server: TestServer;
let api: APIHandler;
let resourceId: string;
let project: Project;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  const [r] = await api.uploadResources({ name: 'a.png', data: grayPng(4, 4) });
  if (!r?.ok) throw new Error('upload failed');
  resourceId = r.id;
  project = await api.createProject('Annotated', 'd', [resourceId]);
});
afterAll(async () => server?.close());

describe('creating annotations', () => {
  it('addAnnotations: labels on the image, categories on an inclusive frame range', async () => {
    const label = await api.addAnnotations(resourceId, 'lbl');
    expect(label).toHaveLength(1);
    const ranged = await api.addAnnotations(resourceId, 'cat', {
      value: 'v',
      frameIndex: { from: 0, to: 2 },
      worklistId: project.worklist_id,
      modelId: 'm1',
    });
    expect(ranged).toHaveLength(3);
    const all = await api.getAnnotations({ resourceId }).toArray();
    const byId = new Map(all.map((a) => [a.id, a]));
    expect(byId.get(label[0]!)).toMatchObject({ name: 'lbl', type: 'label', scope: 'image', value: null });
    expect(ranged.map((id) => byId.get(id)?.index)).toEqual([0, 1, 2]);
    expect(byId.get(ranged[1]!)).toMatchObject({
      type: 'category',
      value: 'v',
      annotation_worklist_id: project.worklist_id,
      is_model: true,
      model_id: 'm1',
    });
  });

  it('image and frame categories, with the project resolved to its worklist', async () => {
    const [image] = await api.addImageCategoryAnnotation(resourceId, 'fracture', 'yes', {
      project: 'Annotated',
    });
    const frames = await api.addFrameCategoryAnnotation(resourceId, [4, 1], 'phase', 'arterial', {
      importedFrom: 'pacs',
      authorEmail: 'radiologist@example.org',
    });
    const list = await api.getAnnotations({ resourceId, annotationType: 'category' }).toArray();
    expect(list.find((a) => a.id === image)).toMatchObject({
      name: 'fracture',
      scope: 'image',
      annotation_worklist_id: project.worklist_id,
      added_by: 'tester@datamint.local',
    });
    expect(frames.map((id) => list.find((a) => a.id === id)?.index)).toEqual([4, 1]);
    expect(list.find((a) => a.id === frames[0])).toMatchObject({
      imported_from: 'pacs',
      added_by: 'radiologist@example.org',
    });
    const inWorklist = await api.getAnnotations({ worklistId: project.worklist_id }).toArray();
    expect(inWorklist.map((a) => a.id)).toContain(image);
  });

  it('the reference example: a pixel line on frame 2 in a project', async () => {
    const [id] = await api.addLineAnnotation([0, 0], [10, 30], resourceId, 'Line1', {
      frameIndex: 2,
      project: 'Annotated',
      importedFrom: 'viewer',
      authorEmail: 'reader@example.org',
      modelId: 'ruler-model',
    });
    const line = (await api.getAnnotations({ resourceId, annotationType: 'line' }).toArray()).find(
      (a) => a.id === id,
    );
    expect(line).toMatchObject({
      name: 'Line1',
      scope: 'frame',
      index: 2,
      annotation_worklist_id: project.worklist_id,
      imported_from: 'viewer',
      added_by: 'reader@example.org',
      is_model: true,
      model_id: 'ruler-model',
      geometry: {
        points: [
          [0, 0, 2],
          [10, 30, 2],
        ],
      },
    });
  });

  it('validation errors name the field; unknown project and resource are typed', async () => {
    await expect(api.addAnnotations(resourceId, 'x', { frameIndex: { from: 3, to: 1 } })).rejects.toThrow(
      /Invalid frameIndex/,
    );
    await expect(
      api.addImageCategoryAnnotation(resourceId, 'x', 'y', { project: 'Annotated', worklistId: 'w' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(api.addImageCategoryAnnotation(resourceId, 'x', undefined as never)).rejects.toThrow(
      /value/,
    );
    await expect(api.addFrameCategoryAnnotation(resourceId, -1, 'phase', 'v')).rejects.toThrow(
      /Invalid frameIndex: got -1/,
    );
    await expect(
      api.addFrameCategoryAnnotation('00000000-0000-0000-0000-000000000000', 0, 'phase', 'v'),
    ).rejects.toMatchObject({ resourceType: 'resource' });
    expect(() => api.getAnnotations({ annotationType: 'blob' as never })).toThrow(/Invalid annotationType/);
    expect(() => api.getAnnotations({ dateFrom: 'yesterday' })).toThrow(/Invalid dateFrom/);
    expect(() => api.getAnnotationWorklist({ status: 'done' as never })).toThrow(/Invalid status/);
    await expect(api.addAnnotations(resourceId, 'x', { project: 'Nope' })).rejects.toMatchObject({
      resourceType: 'project',
    });
    await expect(api.addAnnotations('00000000-0000-0000-0000-000000000000', 'x')).rejects.toMatchObject({
      resourceType: 'resource',
    });
  });

  it('filters annotations by author, dates and status; deprecated alias warns', async () => {
    const warnings: string[] = [];
    const warned = server.api({ onWarning: (m) => warnings.push(m) });
    const today = new Date();
    const mine = await warned
      .getResourceAnnotations(resourceId, { annotatorEmail: 'tester@datamint.local' })
      .toArray();
    const all = await api.getAnnotations({ resourceId }).toArray();
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((a) => a.id).sort()).toEqual(
      all
        .filter((a) => a.added_by === 'tester@datamint.local')
        .map((a) => a.id)
        .sort(),
    );
    expect(mine.length).toBeLessThan(all.length);
    expect(warnings[0]).toMatch(/deprecated/);
    expect(await api.getAnnotations({ resourceId, dateFrom: today, dateTo: today }).toArray()).toHaveLength(
      all.length,
    );
    expect(await api.getAnnotations({ resourceId, dateTo: '2000-01-01' }).toArray()).toHaveLength(0);
    expect(await api.getAnnotations({ annotatorEmail: 'someone@else.org' }).toArray()).toHaveLength(0);
    expect(await api.getAnnotations({ resourceId, status: 'new', pageSize: 2 }).toArray()).toHaveLength(
      all.length,
    );
    expect(await api.getAnnotations({ resourceId, status: 'published' }).toArray()).toHaveLength(0);
  });
});

describe('dataset and AI filters', () => {
  it('filters by dataset, and hides model segmentations unless loadAiSegmentations', async () => {
    const inDataset = await api.getAnnotations({ datasetId: project.dataset_id }).toArray();
    expect(inDataset.length).toBeGreaterThan(0);
    expect(inDataset.every((a) => a.resource_id === resourceId)).toBe(true);
    const mask = maskPng(4, 4, (x) => (x === 0 ? 1 : 0));
    const [modelMade] = await api.uploadSegmentations(resourceId, mask, { name: 'AI', modelId: 'model-7' });
    const [human] = await api.uploadSegmentations(resourceId, mask, { name: 'Human' });
    const plain = await api.getAnnotations({ resourceId, annotationType: 'segmentation' }).toArray();
    expect(plain.map((a) => a.id)).toEqual([human]);
    const withAi = await api
      .getAnnotations({ resourceId, annotationType: 'segmentation', loadAiSegmentations: true })
      .toArray();
    expect(withAi.map((a) => a.id).sort()).toEqual([human, modelMade].sort());
    expect(withAi.find((a) => a.id === modelMade)).toMatchObject({ is_model: true, model_id: 'model-7' });
  });
});

describe('worklists', () => {
  it('lists, gets and updates the project worklist', async () => {
    const worklists = await api.getAnnotationWorklist().toArray();
    expect(worklists.map((w) => w.id)).toContain(project.worklist_id);
    await api.updateAnnotationWorklist(project.worklist_id, {
      status: 'active',
      frameLabels: ['f'],
      imageLabels: ['i'],
      annotations: [{ identifier: 'phase', type: 'category', scope: 'frame' }],
      name: 'Renamed',
    });
    const got = await api.getAnnotationWorklistById(project.worklist_id);
    expect(got).toMatchObject({
      status: 'active',
      frame_labels: ['f'],
      image_labels: ['i'],
      annotations: [{ identifier: 'phase', type: 'category', scope: 'frame' }],
      name: 'Renamed',
    });
    expect((await api.getAnnotationWorklist({ status: 'active' }).toArray()).map((w) => w.id)).toEqual([
      project.worklist_id,
    ]);
    expect(await api.getAnnotationWorklist({ status: 'completed' }).toArray()).toEqual([]);
  });

  it('unknown worklist ids are ResourceNotFoundError("annotation worklist")', async () => {
    const error = await api.getAnnotationWorklistById('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error).toMatchObject({ resourceType: 'annotation worklist', params: { id: 'nope' } });
    await expect(api.updateAnnotationWorklist('nope', { name: 'x' })).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
    await expect(
      api.updateAnnotationWorklist(project.worklist_id, { status: 'done' as never }),
    ).rejects.toThrow(/Invalid status/);
  });
});
