import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { annotationsCsv, annotationsXlsx, XLSX_MIMETYPE } from '../annotation-export';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { requireId } from '../ids';
import { queryBoolean, queryDateBound, queryNonEmpty, type RawQuery } from '../query';
import {
  type AnnotationRow,
  currentAnnotationJson,
  insertAnnotation,
  setAnnotationFile,
} from '../repos/annotations';
import type { JsonObject, JsonValue } from '../repos/json';
import { annotationStatistics, annotatorStatistics, projectAnnotations } from '../repos/project-work';
import { findProject } from '../repos/projects';
import { findResource, missingResources } from '../repos/resources';
import {
  addWorklistResources,
  createWorklist,
  findWorklistRow,
  getWorklist,
  listWorklistStatuses,
  removeWorklistResources,
  resetWorklistStatus,
  setWorklistJson,
  setWorklistStatus,
  type WorklistRow,
  worklistHasResource,
} from '../repos/worklists';
import { type JsonSchema, ok, worklistSchema } from '../schemas/entities';
import { parseSegmentationDefinitions } from '../segmentation-group';
import { nowIso } from '../time';
import { receiveUpload, textField } from '../upload';

interface IdParams {
  worklist_id: string;
}
interface ResourceParams extends IdParams {
  resource_id: string;
}

const stringArray: JsonSchema = { type: 'array', items: { type: 'string' } };
const definitionsSchema: JsonSchema = {
  type: 'object',
  required: ['definitions'],
  properties: {
    segmentationValueType: { type: 'string', enum: ['single_label', 'multi_label', 'float'] },
    definitions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['identifier'],
        properties: {
          identifier: { type: 'string', minLength: 1 },
          color: { type: 'string' },
          index: { type: 'integer' },
        },
      },
    },
  },
};

const createBody: JsonSchema = {
  type: 'object',
  required: ['name', 'resource_ids'],
  properties: {
    name: { type: 'string', minLength: 1 },
    resource_ids: stringArray,
    description: { type: ['string', 'null'] },
    annotations: { type: 'array', items: { type: 'object', required: ['type', 'identifier'] } },
    annotators: {
      type: 'array',
      items: {
        type: 'object',
        required: ['email'],
        properties: {
          email: { type: 'string' },
          expertise_level: { type: 'string', enum: ['learner', 'trained', 'expert'] },
        },
      },
    },
    frame_labels: stringArray,
    image_labels: stringArray,
    segmentation_data: definitionsSchema,
    project_id: { type: 'string' },
  },
};

type Definition = { identifier: string; color?: string; index?: number; [k: string]: JsonValue | undefined };
type SegmentationData = { segmentationValueType?: string; definitions: Definition[] };

/** `{"groups": {"<label>": {"index": n, ...}}}`, the shape the SDK's dataset classes read. */
function groupsOf(data: SegmentationData | null): JsonObject {
  const groups: JsonObject = {};
  (data?.definitions ?? []).forEach((d, i) => {
    groups[d.identifier] = { ...(d as JsonObject), index: d.index ?? i + 1 };
  });
  return { groups, segmentationValueType: data?.segmentationValueType ?? 'single_label' };
}

/** Worklist (annotation set) management of the current platform. */
export function worklistManagementRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, store } = ctx;

  function worklistOr404(customerId: string, rawId: string): WorklistRow {
    const row = findWorklistRow(db, customerId, requireId('Annotation worklist', rawId));
    if (!row) throw new NotFoundError('Annotation worklist');
    return row;
  }

  function resourceOfWorklist(worklist: WorklistRow, customerId: string, rawId: string): string {
    const id = requireId('Resource', rawId);
    if (!findResource(db, customerId, id) || !worklistHasResource(db, worklist.id, id)) {
      throw new NotFoundError('Resource', 'not in this worklist');
    }
    return id;
  }

  function requireResources(customerId: string, raw: readonly string[]): string[] {
    const ids = [...new Set(raw.map((id) => id.toLowerCase()))];
    const missing = missingResources(db, customerId, ids);
    if (missing.length > 0) throw new NotFoundError('Resource', missing.slice(0, 10).join(', '));
    return ids;
  }

  app.post(
    '/annotationsets',
    { schema: { body: createBody, response: ok(worklistSchema, 201) } },
    async (req, reply) => {
      const customerId = req.principal.customerId;
      const body = req.body as JsonObject & { name: string; resource_ids: string[] };
      const ids = requireResources(customerId, body.resource_ids);
      if (
        typeof body.project_id === 'string' &&
        !findProject(db, customerId, body.project_id.toLowerCase())
      ) {
        throw new NotFoundError('Project', body.project_id.slice(0, 100));
      }
      const extra: Record<string, JsonValue> = {};
      for (const key of ['viewable_ai_annotations', 'editable_ai_annotations', 'return_url', 'project_id']) {
        if (body[key] !== undefined && body[key] !== null) extra[key] = body[key] as JsonValue;
      }
      const at = nowIso();
      const id = db.transaction(() =>
        createWorklist(db, {
          customerId,
          name: body.name,
          description: (body.description as string | null | undefined) ?? null,
          annotators: ((body.annotators as JsonObject[] | undefined) ?? []).map((a) => ({
            status: 'active',
            ...a,
          })),
          annotations: (body.annotations as JsonValue[] | undefined) ?? [],
          frameLabels: (body.frame_labels as string[] | undefined) ?? [],
          imageLabels: (body.image_labels as string[] | undefined) ?? [],
          resourceIds: ids,
          by: req.principal.email,
          at,
          ...(body.segmentation_data ? { segmentationData: body.segmentation_data } : {}),
          extra,
        }),
      )();
      reply.code(201);
      return getWorklist(db, customerId, id);
    },
  );

  app.get<{ Params: IdParams }>('/annotationsets/:worklist_id/segmentation-group', async (req) => {
    const row = worklistOr404(req.principal.customerId, req.params.worklist_id);
    return groupsOf(row.segmentation_data ? (JSON.parse(row.segmentation_data) as SegmentationData) : null);
  });

  app.put<{ Params: IdParams }>(
    '/annotationsets/:worklist_id/segmentation-group',
    {
      schema: {
        body: {
          type: 'object',
          required: ['segmentationData'],
          properties: {
            segmentationData: definitionsSchema,
            renames: {
              type: 'array',
              items: {
                type: 'object',
                required: ['from', 'to'],
                properties: { from: { type: 'string' }, to: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const row = worklistOr404(customerId, req.params.worklist_id);
      const body = req.body as {
        segmentationData: SegmentationData;
        renames?: Array<{ from: string; to: string }>;
      };
      const at = nowIso();
      db.transaction(() => {
        setWorklistJson(db, row.id, 'segmentation_data', body.segmentationData as unknown as JsonValue, at);
        // Renaming a label renames the worklist's annotations that carry it.
        const rename = db.prepare(
          'UPDATE annotations SET name = ? WHERE worklist_id = ? AND name = ? AND deleted = 0',
        );
        for (const r of body.renames ?? []) rename.run(r.to, row.id, r.from);
      })();
      return groupsOf(body.segmentationData);
    },
  );

  app.delete<{ Params: IdParams & { identifier: string } }>(
    '/annotationsets/:worklist_id/segmentation-group/:identifier',
    async (req) => {
      const row = worklistOr404(req.principal.customerId, req.params.worklist_id);
      const data = row.segmentation_data ? (JSON.parse(row.segmentation_data) as SegmentationData) : null;
      const kept = (data?.definitions ?? []).filter((d) => d.identifier !== req.params.identifier);
      if (!data || kept.length === data.definitions.length)
        throw new NotFoundError('Segmentation label', req.params.identifier);
      const next = { ...data, definitions: kept };
      setWorklistJson(db, row.id, 'segmentation_data', next as unknown as JsonValue, nowIso());
      return groupsOf(next);
    },
  );

  async function uploadGroup(req: FastifyRequest<{ Params: IdParams }>) {
    const row = worklistOr404(req.principal.customerId, req.params.worklist_id);
    const upload = await receiveUpload(req, ctx, { fileField: 'file', maxFileBytes: 10 * 1024 * 1024 });
    try {
      const replace = !/^(false|0)$/i.test(textField(upload.fields, 'replace_existing') ?? 'true');
      const text = (await readFile(upload.tempPath)).toString('utf8');
      const incoming = parseSegmentationDefinitions(text, upload.filename);
      const current = row.segmentation_data ? (JSON.parse(row.segmentation_data) as SegmentationData) : null;
      const kept = replace
        ? []
        : (current?.definitions ?? []).filter((d) => !incoming.some((n) => n.identifier === d.identifier));
      const next = {
        segmentationValueType: current?.segmentationValueType ?? 'single_label',
        definitions: [...kept, ...incoming] as Definition[],
      };
      setWorklistJson(db, row.id, 'segmentation_data', next as unknown as JsonValue, nowIso());
      return groupsOf(next);
    } finally {
      await store.discardTemp(upload.tempPath);
    }
  }

  app.post<{ Params: IdParams }>('/annotationsets/:worklist_id/segmentation-group/upload', (req) =>
    ctx.track(uploadGroup(req)),
  );

  app.get<{ Params: IdParams & { email: string } }>(
    '/annotationsets/:worklist_id/users/:email',
    async (req) => {
      const customerId = req.principal.customerId;
      const row = worklistOr404(customerId, req.params.worklist_id);
      const worklist = getWorklist(db, customerId, row.id)!;
      const annotator = worklist.annotators.find(
        (a) => typeof a === 'object' && a !== null && !Array.isArray(a) && a.email === req.params.email,
      );
      if (!annotator) throw new NotFoundError('Annotator', req.params.email);
      const statuses = listWorklistStatuses(db, row.id, { annotator: req.params.email });
      return { ...(annotator as JsonObject), resources: statuses };
    },
  );

  function worklistAnnotations(
    req: FastifyRequest<{ Params: ResourceParams }>,
    filter: (a: AnnotationRow) => boolean,
  ) {
    const customerId = req.principal.customerId;
    const row = worklistOr404(customerId, req.params.worklist_id);
    const resourceId = resourceOfWorklist(row, customerId, req.params.resource_id);
    const query = req.query as RawQuery;
    const all = queryBoolean(query, 'all') ?? true;
    const annotator = queryNonEmpty(query, 'annotator');
    const rows = db
      .prepare(
        'SELECT * FROM annotations WHERE resource_id = ? AND customer_id = ? AND deleted = 0 ORDER BY seq',
      )
      .all(resourceId, customerId) as AnnotationRow[];
    return rows
      .filter((a) => all || a.worklist_id === row.id)
      .filter((a) => annotator === undefined || a.added_by === annotator)
      .filter(filter)
      .map(currentAnnotationJson);
  }

  app.get<{ Params: ResourceParams }>(
    '/annotationsets/:worklist_id/resources/:resource_id/segmentations',
    async (req) => worklistAnnotations(req, (a) => a.type === 'segmentation'),
  );
  app.get<{ Params: ResourceParams }>(
    '/annotationsets/:worklist_id/resources/:resource_id/annotations',
    async (req) => worklistAnnotations(req, () => true),
  );
  app.get<{ Params: ResourceParams }>(
    '/annotationsets/:worklist_id/resources/:resource_id/ai_segmentations',
    async (req) => worklistAnnotations(req, (a) => a.type === 'segmentation' && a.is_model === 1),
  );

  async function uploadAnnotations(req: FastifyRequest<{ Params: ResourceParams }>) {
    const customerId = req.principal.customerId;
    const row = worklistOr404(customerId, req.params.worklist_id);
    const resourceId = resourceOfWorklist(row, customerId, req.params.resource_id);
    const upload = await receiveUpload(req, ctx, {
      fileField: 'images',
      maxFileBytes: Math.min(256 * 1024 * 1024, ctx.maxUploadBytes),
    });
    try {
      let payload: JsonValue;
      try {
        const raw = upload.fields.get('payload');
        payload = typeof raw === 'string' ? (JSON.parse(raw) as JsonValue) : (raw ?? null);
      } catch {
        throw new BadRequestError('payload must be a JSON array of {identifier, frame_index, ...}');
      }
      if (!Array.isArray(payload) || payload.length === 0) {
        throw new BadRequestError('payload must be a non-empty JSON array of {identifier, frame_index, ...}');
      }
      const at = nowIso();
      const items = payload.map((item, i) => {
        if (
          typeof item !== 'object' ||
          item === null ||
          Array.isArray(item) ||
          typeof item.identifier !== 'string'
        ) {
          throw new BadRequestError(`payload[${i}].identifier is required and must be a string`);
        }
        const frame = item.frame_index;
        if (
          frame !== undefined &&
          frame !== null &&
          (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 0)
        ) {
          throw new BadRequestError(`payload[${i}].frame_index must be a non-negative integer`);
        }
        return {
          identifier: item.identifier,
          frame: (frame as number | null | undefined) ?? null,
          geometry: item.geometry ?? null,
        };
      });
      const ids = items.map(() => randomUUID());
      const key = store.keyFor('masks', ids[ids.length - 1]!);
      await store.commit(upload.tempPath, key);
      db.transaction(() => {
        items.forEach((item, i) => {
          insertAnnotation(db, {
            id: ids[i]!,
            customer_id: customerId,
            resource_id: resourceId,
            name: item.identifier,
            type: 'segmentation',
            scope: item.frame === null ? 'image' : 'frame',
            frame_index: item.frame,
            value: null,
            geometry: item.geometry === null ? null : JSON.stringify(item.geometry),
            worklist_id: row.id,
            imported_from: null,
            import_author: null,
            added_by: req.principal.email,
            model_id: null,
            is_model: 0,
            units: null,
            status: 'new',
            created_at: at,
          });
        });
        // The SDK sends only the last image (a known defect): it is the mask of the last item.
        setAnnotationFile(db, ids[ids.length - 1]!, key, upload.partMimetype || 'image/png');
      })();
      return ids;
    } finally {
      await store.discardTemp(upload.tempPath);
    }
  }

  app.post<{ Params: ResourceParams }>(
    '/annotationsets/:worklist_id/resources/:resource_id/segmentations',
    (req) => ctx.track(uploadAnnotations(req)),
  );

  app.post<{ Params: ResourceParams }>(
    '/annotationsets/:worklist_id/resources/:resource_id/status',
    {
      schema: {
        body: {
          type: 'object',
          required: ['status'],
          properties: {
            status: {
              type: 'string',
              enum: ['opened', 'annotated', 'closed', 'approved', 'revision_request'],
            },
            annotator: { type: 'string' },
            message: { type: 'string' },
            path: { type: 'string' },
          },
        },
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const row = worklistOr404(customerId, req.params.worklist_id);
      const resourceId = resourceOfWorklist(row, customerId, req.params.resource_id);
      const body = req.body as { status: string; annotator?: string; message?: string };
      const status = {
        worklist_id: row.id,
        resource_id: resourceId,
        annotator: body.annotator ?? req.principal.email,
        status: body.status,
        message: body.message ?? null,
        updated_at: nowIso(),
      };
      setWorklistStatus(db, status);
      return status;
    },
  );

  app.delete<{ Params: ResourceParams & { email: string } }>(
    '/annotationsets/:worklist_id/resources/:resource_id/annotator/:email/status-reset',
    async (req) => {
      const customerId = req.principal.customerId;
      const row = worklistOr404(customerId, req.params.worklist_id);
      const resourceId = resourceOfWorklist(row, customerId, req.params.resource_id);
      return { reset: resetWorklistStatus(db, row.id, resourceId, req.params.email) };
    },
  );

  app.post<{ Params: IdParams & { user_id: string } }>(
    '/annotationsets/:worklist_id/annotators/:user_id',
    {
      schema: {
        body: {
          type: 'object',
          required: ['status'],
          properties: {
            status: { type: 'string', enum: ['active', 'frozen'] },
            expertise_level: { type: ['string', 'null'], enum: ['learner', 'trained', 'expert', null] },
            return_url: { type: ['string', 'null'] },
          },
        },
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const row = worklistOr404(customerId, req.params.worklist_id);
      const body = req.body as { status: string; expertise_level?: string | null };
      const email = req.params.user_id;
      const current = getWorklist(db, customerId, row.id)!.annotators as JsonObject[];
      const entry = { email, status: body.status, expertise_level: body.expertise_level ?? null };
      const next = [...current.filter((a) => a.email !== email), entry];
      setWorklistJson(db, row.id, 'annotators', next, nowIso());
      return entry;
    },
  );

  app.delete<{ Params: IdParams & { user_id: string } }>(
    '/annotationsets/:worklist_id/annotators/:user_id',
    async (req) => {
      const customerId = req.principal.customerId;
      const row = worklistOr404(customerId, req.params.worklist_id);
      const current = getWorklist(db, customerId, row.id)!.annotators as JsonObject[];
      const next = current.filter((a) => a.email !== req.params.user_id);
      if (next.length === current.length) throw new NotFoundError('Annotator', req.params.user_id);
      setWorklistJson(db, row.id, 'annotators', next, nowIso());
      return {};
    },
  );

  app.post<{ Params: IdParams }>(
    '/annotationsets/:worklist_id/resources',
    {
      schema: {
        body: {
          type: 'object',
          properties: { resource_ids_to_add: stringArray, resource_ids_to_delete: stringArray },
        },
        response: ok(worklistSchema),
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const row = worklistOr404(customerId, req.params.worklist_id);
      const body = req.body as { resource_ids_to_add?: string[]; resource_ids_to_delete?: string[] };
      const add = requireResources(customerId, body.resource_ids_to_add ?? []);
      const remove = (body.resource_ids_to_delete ?? []).map((id) => id.toLowerCase());
      db.transaction(() => {
        addWorklistResources(db, row.id, add);
        removeWorklistResources(db, row.id, remove);
      })();
      return getWorklist(db, customerId, row.id);
    },
  );

  app.get<{ Params: IdParams }>('/annotationsets/:worklist_id/annotation-statuses', async (req) => {
    const row = worklistOr404(req.principal.customerId, req.params.worklist_id);
    const query = req.query as RawQuery;
    return listWorklistStatuses(db, row.id, {
      status: queryNonEmpty(query, 'status'),
      annotator: queryNonEmpty(query, 'user_id'),
      resourceId: queryNonEmpty(query, 'resource_id')?.toLowerCase(),
    });
  });

  app.get<{ Params: IdParams }>('/annotationsets/:worklist_id/annotators-statistic', async (req) => {
    const row = worklistOr404(req.principal.customerId, req.params.worklist_id);
    const statuses = listWorklistStatuses(db, row.id, {}).map((s) => ({
      project_id: '',
      resource_id: s.resource_id,
      user_id: s.annotator,
      status: s.status,
      updated_at: s.updated_at,
    }));
    return annotatorStatistics(
      projectAnnotations(db, { worklistId: row.id }),
      statuses,
      queryNonEmpty(req.query as RawQuery, 'email'),
    );
  });

  app.get<{ Params: IdParams }>('/annotationsets/:worklist_id/annotations-statistic', async (req) => {
    const row = worklistOr404(req.principal.customerId, req.params.worklist_id);
    return annotationStatistics(projectAnnotations(db, { worklistId: row.id }));
  });

  app.get<{ Params: IdParams }>('/annotationsets/:worklist_id/download-annotations', async (req, reply) => {
    const row = worklistOr404(req.principal.customerId, req.params.worklist_id);
    const query = req.query as RawQuery;
    const list = (name: string) => {
      const v = query[name];
      return v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x) => x !== '');
    };
    const rows = projectAnnotations(
      db,
      { worklistId: row.id },
      {
        from: queryDateBound(query, 'from', 'start'),
        to: queryDateBound(query, 'to', 'end'),
        annotators: list('annotators[]'),
        identifiers: list('annotations[]'),
      },
    );
    const format = queryNonEmpty(query, 'format') ?? 'csv';
    if (format === 'csv')
      return reply.header('content-type', 'text/csv; charset=utf-8').send(annotationsCsv(rows));
    if (format === 'excel' || format === 'xlsx') {
      return reply.header('content-type', XLSX_MIMETYPE).send(await annotationsXlsx(rows));
    }
    throw new BadRequestError(`format must be one of csv, excel, xlsx, got '${format.slice(0, 50)}'`);
  });
}
