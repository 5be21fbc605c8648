import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';
import { readZip } from './support/zip';

interface Manifest {
  id: string;
  updated_at: string;
  all_annotations: boolean;
  resources: Array<{
    id: string;
    file: string;
    filename: string;
    annotations: Array<{
      type: string;
      name: string;
      value: string | null;
      index: number | null;
      added_by: string;
      file?: string;
    }>;
  }>;
}

describe('GET /projects/:id/annotated_dataset (streamed ZIP)', () => {
  let server: TestServer;
  let project: { id: string; worklist_id: string; dataset_id: string };
  const ids: Record<string, string> = {};
  const mask = encode({
    width: 2,
    height: 2,
    data: new Uint8Array([0, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0]),
    channels: 3,
    depth: 8,
  });

  beforeAll(async () => {
    server = await startTestServer();
    ids.annotated = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: '..evil name?.png',
      mimetype: 'image/png',
    });
    ids.other = await uploadOk(server.url, {
      bytes: grayPng(3, 3),
      filename: 'other.png',
      mimetype: 'image/png',
    });
    ids.bare = await uploadOk(server.url, {
      bytes: grayPng(1, 1),
      filename: 'bare.png',
      mimetype: 'image/png',
    });
    project = (
      await send(`${server.url}/projects`, {
        method: 'POST',
        json: { name: 'Export me', resource_ids: [ids.annotated, ids.other, ids.bare] },
      })
    ).json;
    const inWorklist = await send(`${server.url}/annotations/${ids.annotated}/annotations`, {
      method: 'POST',
      json: [
        {
          identifier: 'fracture',
          value: 'yes',
          scope: 'image',
          type: 'category',
          annotation_worklist_id: project.worklist_id,
        },
        {
          identifier: 'Femur',
          type: 'segmentation',
          scope: 'frame',
          frame_index: 0,
          annotation_worklist_id: project.worklist_id,
        },
      ],
    });
    const [, segId] = inWorklist.json;
    const { body, contentType } = aiohttpMultipart([
      { name: 'file', value: mask, contentType: 'image/png', filename: 'Femur' },
    ]);
    await send(`${server.url}/annotations/${ids.annotated}/annotations/${segId}/file`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    // Outside the project's worklist.
    await send(`${server.url}/annotations/${ids.other}/annotations`, {
      method: 'POST',
      json: [{ identifier: 'lbl', type: 'label', scope: 'image' }],
    });
  });
  afterAll(() => server.dispose());

  async function download(query: string) {
    const reply = await send(`${server.url}/projects/${project.id}/annotated_dataset?${query}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/zip');
    expect(Number(reply.headers['content-length'])).toBe(reply.bytes.length);
    const entries = readZip(reply.bytes);
    const manifest = JSON.parse(entries.get('dataset.json')!.toString('utf8')) as Manifest;
    return { entries, manifest };
  }

  it('all_annotations=False: only the worklist annotations, only annotated resources, masks included', async () => {
    const { entries, manifest } = await download('all_annotations=False');
    expect(manifest.id).toBe(project.dataset_id);
    expect(manifest.updated_at).toMatch(/Z$/);
    expect(manifest.resources.map((r) => r.id)).toEqual([ids.annotated]);
    const [resource] = manifest.resources;
    expect(resource.filename).toBe('..evil name?.png');
    expect(resource.file).toBe(`images/${ids.annotated}/_evil_name_.png`);
    expect(Buffer.compare(entries.get(resource.file)!, Buffer.from(grayPng(2, 2)))).toBe(0);
    expect(resource.annotations.map((a) => [a.type, a.name, a.value, a.index, a.added_by])).toEqual([
      ['category', 'fracture', 'yes', null, 'alice@a.test'],
      ['segmentation', 'Femur', null, 0, 'alice@a.test'],
    ]);
    const maskPath = resource.annotations[1].file!;
    expect(maskPath).toMatch(new RegExp(`^masks/${ids.annotated}/[0-9a-f-]{36}\\.png$`));
    expect(Buffer.compare(entries.get(maskPath)!, Buffer.from(mask))).toBe(0);
    for (const name of entries.keys()) expect(name.split('/')).not.toContain('..');
  });

  it('all_annotations=True&include_unannotated=True: every annotation and every resource', async () => {
    const { entries, manifest } = await download('all_annotations=True&include_unannotated=True');
    expect(manifest.resources.map((r) => r.id)).toEqual([ids.annotated, ids.other, ids.bare]);
    expect(manifest.resources[1].annotations.map((a) => a.name)).toEqual(['lbl']);
    expect(manifest.resources[2].annotations).toEqual([]);
    expect(entries.size).toBe(1 + 3 + 1);
  });

  it('all_annotations=True alone: every annotation, only annotated resources', async () => {
    const { manifest } = await download('all_annotations=True');
    expect(manifest.resources.map((r) => r.id)).toEqual([ids.annotated, ids.other]);
    expect(manifest.all_annotations).toBe(true);
  });

  it('all_annotations=False&include_unannotated=True: worklist annotations, every resource', async () => {
    const { entries, manifest } = await download('all_annotations=False&include_unannotated=True');
    expect(manifest.resources.map((r) => r.id)).toEqual([ids.annotated, ids.other, ids.bare]);
    expect(manifest.resources.map((r) => r.annotations.length)).toEqual([2, 0, 0]);
    expect(manifest.all_annotations).toBe(false);
    // dataset.json, three resource files and one mask.
    expect(entries.size).toBe(1 + 3 + 1);
  });

  it('answers 404 "Project not found" for unknown and deleted projects', async () => {
    const unknown = await send(
      `${server.url}/projects/00000000-0000-4000-8000-000000000009/annotated_dataset?all_annotations=False`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toBe('Project not found');
  });

  it('rejects a bad boolean with 400', async () => {
    const reply = await send(
      `${server.url}/projects/${project.id}/annotated_dataset?all_annotations=perhaps`,
    );
    expect(reply.status).toBe(400);
    expect(reply.json.message).toBe(
      "query parameter 'all_annotations' must be a boolean (true/false), got 'perhaps'",
    );
  });
});
