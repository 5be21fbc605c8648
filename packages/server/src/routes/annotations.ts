import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { storedGeometry } from '../annotation-geometry';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { readHead } from '../file-inspection';
import { bodyFingerprint, idempotencyKeyOf, oncePerKey } from '../idempotency';
import { requireId } from '../ids';
import { maskMimetype, servedContentType } from '../mimetypes';
import { queryBoolean, queryDateBound, queryNonEmpty, queryPage, type RawQuery } from '../query';
import {
  ANNOTATION_SCOPES,
  ANNOTATION_TYPES,
  annotationJson,
  findAnnotation,
  insertAnnotation,
  listAnnotations,
  type NewAnnotation,
  setAnnotationFile,
  softDeleteAnnotation,
} from '../repos/annotations';
import type { JsonObject } from '../repos/json';
import { findResource } from '../repos/resources';
import { worklistExists } from '../repos/worklists';
import { nowIso } from '../time';
import { receiveUpload } from '../upload';
import {
  oneOf,
  optionalBoolean,
  optionalNonNegativeInt,
  optionalString,
  requireArray,
  requiredString,
  requireObject,
} from '../validate';

interface ResourceParams {
  resource_id: string;
}
interface FileParams extends ResourceParams {
  annotation_id: string;
}

/** Masks are small PNGs; anything larger than this (or than the server's upload limit) is not a segmentation frame. */
const MAX_MASK_BYTES = 256 * 1024 * 1024;

function categoryValue(item: JsonObject, where: string): string | null {
  const value = item.value;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new BadRequestError(`${where}.value must be a string or null`);
}

export function annotationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, store } = ctx;

  app.get('/annotations', async (req) => {
    const query = req.query as RawQuery;
    const type = queryNonEmpty(query, 'annotation_type');
    if (type !== undefined) oneOf(type, ANNOTATION_TYPES, 'annotation_type');
    const { items, total } = listAnnotations(
      db,
      {
        customerId: req.principal.customerId,
        resourceId: queryNonEmpty(query, 'resource_id')?.toLowerCase(),
        type,
        annotatorEmail: queryNonEmpty(query, 'annotatorEmail'),
        from: queryDateBound(query, 'from', 'start'),
        to: queryDateBound(query, 'to', 'end'),
        datasetId: queryNonEmpty(query, 'dataset_id')?.toLowerCase(),
        worklistId: queryNonEmpty(query, 'annotation_worklist_id')?.toLowerCase(),
        status: queryNonEmpty(query, 'status'),
        loadAiSegmentations: queryBoolean(query, 'load_ai_segmentations'),
      },
      queryPage(query),
    );
    return { data: items, totalCount: total };
  });

  app.post<{ Params: ResourceParams }>('/annotations/:resource_id/annotations', async (req, reply) => {
    const customerId = req.principal.customerId;
    const resourceId = requireId('Resource', req.params.resource_id);
    if (!findResource(db, customerId, resourceId)) throw new NotFoundError('Resource');
    const items = requireArray(req.body, 'body');
    const at = nowIso();
    const rows: NewAnnotation[] = items.map((raw, i) => {
      const where = `body[${i}]`;
      const item = requireObject(raw, where);
      const worklistId = optionalString(item, 'annotation_worklist_id', where)?.toLowerCase() ?? null;
      if (worklistId !== null && !worklistExists(db, customerId, worklistId)) {
        throw new NotFoundError('Annotation worklist', worklistId);
      }
      const modelId = optionalString(item, 'model_id', where);
      const importAuthor = optionalString(item, 'import_author', where);
      const type = oneOf(requiredString(item, 'type', where), ANNOTATION_TYPES, `${where}.type`);
      return {
        id: randomUUID(),
        customer_id: customerId,
        resource_id: resourceId,
        name: requiredString(item, 'identifier', where),
        type,
        scope: oneOf(requiredString(item, 'scope', where), ANNOTATION_SCOPES, `${where}.scope`),
        frame_index: optionalNonNegativeInt(item, 'frame_index', where),
        value: categoryValue(item, where),
        geometry: storedGeometry(type, item.geometry, where),
        worklist_id: worklistId,
        imported_from: optionalString(item, 'imported_from', where),
        import_author: importAuthor,
        added_by: importAuthor ?? req.principal.email,
        model_id: modelId,
        is_model: (optionalBoolean(item, 'is_model', where) ?? modelId !== null) ? 1 : 0,
        units: optionalString(item, 'units', where),
        source: optionalString(item, 'source', where),
        status: 'new',
        created_at: at,
      };
    });
    const { value, replayed } = oncePerKey(
      db,
      {
        customerId,
        endpoint: `POST /annotations/${resourceId}/annotations`,
        key: idempotencyKeyOf(req),
        at,
        fingerprint: bodyFingerprint(req.body),
        // Replays the created list only while its annotations still exist.
        alive: (ids) =>
          (JSON.parse(ids) as string[]).every((id) => findAnnotation(db, customerId, id) !== undefined),
      },
      () => {
        for (const row of rows) insertAnnotation(db, row);
        return JSON.stringify(rows.map((r) => r.id));
      },
    );
    reply.code(201);
    if (replayed) reply.header('idempotent-replayed', 'true');
    return JSON.parse(value) as string[];
  });

  function annotationOr404(req: FastifyRequest<{ Params: FileParams }>) {
    const customerId = req.principal.customerId;
    const resourceId = requireId('Resource', req.params.resource_id);
    const annotationId = requireId('Annotation', req.params.annotation_id);
    if (!findResource(db, customerId, resourceId)) throw new NotFoundError('Resource');
    const annotation = findAnnotation(db, customerId, annotationId);
    if (!annotation || annotation.resource_id !== resourceId) throw new NotFoundError('Annotation');
    return annotation;
  }

  async function attachFile(req: FastifyRequest<{ Params: FileParams }>, reply: FastifyReply) {
    const annotation = annotationOr404(req);
    const resource = findResource(db, req.principal.customerId, annotation.resource_id)!;
    const upload = await receiveUpload(req, ctx, {
      fileField: 'file',
      maxFileBytes: Math.min(MAX_MASK_BYTES, ctx.maxUploadBytes),
    });
    try {
      await ctx.render.run('validateMask', {
        path: upload.tempPath,
        filename: upload.filename,
        resource: { rows: resource.rows, columns: resource.columns },
        limits: ctx.decodeLimits,
      });
      const key = store.keyFor('masks', annotation.id);
      const head = await readHead(upload.tempPath, 8);
      await store.commit(upload.tempPath, key);
      setAnnotationFile(db, annotation.id, key, maskMimetype(head));
    } finally {
      await store.discardTemp(upload.tempPath);
    }
    reply.code(201);
    return annotationJson(findAnnotation(db, req.principal.customerId, annotation.id)!);
  }

  app.post<{ Params: FileParams }>(
    '/annotations/:resource_id/annotations/:annotation_id/file',
    (req, reply) => ctx.track(attachFile(req, reply)),
  );

  app.get<{ Params: FileParams }>(
    '/annotations/:resource_id/annotations/:annotation_id/file',
    async (req, reply) => {
      const annotation = annotationOr404(req);
      if (!annotation.file_key)
        throw new NotFoundError('Annotation file', 'no mask was attached to this annotation');
      const size = await store.sizeOf(annotation.file_key);
      reply
        .header('content-type', servedContentType(annotation.file_mimetype))
        .header('content-length', String(size));
      return reply.send(createReadStream(store.pathOf(annotation.file_key)));
    },
  );

  app.delete<{ Params: { annotation_id: string } }>('/annotations/:annotation_id', async (req) => {
    const annotation = findAnnotation(
      db,
      req.principal.customerId,
      requireId('Annotation', req.params.annotation_id),
    );
    if (!annotation) throw new NotFoundError('Annotation');
    softDeleteAnnotation(db, annotation.id);
    return {};
  });
}
