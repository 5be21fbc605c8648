import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';

describe('line and box geometry: stored as sent, validated, 4 corners for current readers', () => {
  let server: TestServer;
  let rid: string;
  const post = (items: unknown) =>
    send(`${server.url}/annotations/${rid}/annotations`, { method: 'POST', json: items });
  const v1List = async () =>
    (await send(`${server.url}/annotations?resource_id=${rid}`)).json.data as Array<Record<string, unknown>>;
  const search = async () =>
    (await send(`${server.url}/annotations/search`, { method: 'POST', json: { resource_id: rid } })).json
      .data as Array<Record<string, unknown>>;

  beforeAll(async () => {
    server = await startTestServer();
    rid = await uploadOk(server.url, { bytes: grayPng(4, 3), filename: 'a.png', mimetype: 'image/png' });
  });
  afterAll(async () => server?.close());

  const patientLine = {
    viewPlaneNormal: [0, 1.0, 0.0],
    viewUp: [0.0, 0.0, -1.0],
    points: [
      [-112.0, 35.0, 70.0],
      [-96.0, 35.0, 77.5],
    ],
  };
  const v1Box = {
    points: [
      [0, 0, 2],
      [100, 200, 2],
    ],
  };
  const v2Box = {
    points: [
      [0, 0, 2],
      [100, 0, 2],
      [0, 200, 2],
      [100, 200, 2],
    ],
  };

  it('stores geometries as sent; current readers get 2-corner boxes as 4 corners', async () => {
    const created = await post([
      { type: 'line', identifier: 'L', scope: 'image', geometry: patientLine, source: 'imported' },
      { type: 'square', identifier: 'B1', scope: 'frame', frame_index: 2, geometry: v1Box, is_model: false },
      {
        type: 'square',
        identifier: 'B2',
        scope: 'frame',
        frame_index: 2,
        geometry: v2Box,
        source: 'imported',
      },
      {
        type: 'line',
        identifier: 'Line1',
        scope: 'frame',
        geometry: {
          points: [
            [0, 0, null],
            [10, 30, null],
          ],
        },
        is_model: false,
      },
    ]);
    expect(created.status).toBe(201);
    const [line, b1, b2, pixelLine] = created.json as string[];
    const v1 = new Map((await v1List()).map((a) => [a.id, a.geometry]));
    expect(v1.get(line)).toEqual(patientLine);
    expect(v1.get(b1)).toEqual(v1Box);
    expect(v1.get(b2)).toEqual(v2Box);
    expect(v1.get(pixelLine)).toEqual({
      points: [
        [0, 0, null],
        [10, 30, null],
      ],
    });
    const current = new Map((await search()).map((a) => [a.id, a.geometry]));
    expect(current.get(line)).toEqual(patientLine);
    expect(current.get(b1)).toEqual(v2Box);
    expect(current.get(b2)).toEqual(v2Box);
    const one = await send(`${server.url}/annotations/${b1}`);
    expect(one.json.geometry).toEqual(v2Box);
    // The Python SDK prints negative zero as -0.0.
    const python = await send(`${server.url}/annotations/${rid}/annotations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[{"type":"line","identifier":"N","scope":"image","geometry":{"viewPlaneNormal":[-0.0,-0.0,1.0],"viewUp":[0.0,1.0,0.0],"points":[[-9.5,18.4,32.0],[-8.5,16.8,32.0]]}}]',
    });
    expect(python.status).toBe(201);
  });

  it('rejects malformed geometry with 400 naming the field, storing nothing of the batch', async () => {
    const before = (await v1List()).length;
    const cases: [unknown, string][] = [
      [{ points: [[1, 2, 3]] }, 'body[1].geometry.points: a line needs 2 points, has 1'],
      [
        {
          points: [
            [1, 2, 3],
            [1, 'x', 3],
          ],
        },
        'body[1].geometry.points[1][1]: must be a finite number, has "x"',
      ],
      [
        {
          points: [
            [1, 2, 3],
            [1, 2, 3, 4],
          ],
        },
        'body[1].geometry.points[1]: must be a point of 2 or 3 numbers, has [1,2,3,4]',
      ],
      [{ points: 'none' }, 'body[1].geometry.points: must be an array of points, has "none"'],
      [
        {
          points: [
            [1, 2],
            [3, 4],
          ],
          viewUp: [0, 1, 0],
        },
        'body[1].geometry.viewPlaneNormal: view vectors come in pairs',
      ],
      [
        {
          points: [
            [1, 2],
            [3, 4],
          ],
          viewUp: [0, 1],
          viewPlaneNormal: [0, 0, 1],
        },
        'body[1].geometry.viewUp: must be a point of 3 numbers, has [0,1]',
      ],
    ];
    for (const [geometry, message] of cases) {
      const reply = await post([
        { type: 'label', identifier: 'ok', scope: 'image' },
        { type: 'line', identifier: 'bad', scope: 'image', geometry },
      ]);
      expect(reply.status, message).toBe(400);
      expect(reply.json.message).toBe(message);
    }
    const box = await post([
      {
        type: 'square',
        identifier: 'bad',
        scope: 'image',
        geometry: {
          points: [
            [1, 2, 3],
            [1, 2, 3],
            [1, 2, 3],
          ],
        },
      },
    ]);
    expect(box.status).toBe(400);
    expect(box.json.message).toBe(
      'body[0].geometry.points: a box needs 4 corners (or 2 opposite ones), has 3',
    );
    const fourShort = await post([
      {
        type: 'square',
        identifier: 'bad',
        scope: 'image',
        geometry: {
          points: [
            [0, 0, 0],
            [1, 0, 0],
            [0, 1, 0],
            [1, 1],
          ],
        },
      },
    ]);
    expect(fourShort.json.message).toBe(
      'body[0].geometry.points[3]: must be a point of 3 numbers, has [1,1]',
    );
    expect(await v1List()).toHaveLength(before);
  });
});
