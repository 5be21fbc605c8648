import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { NOT_IN_INBOX_MESSAGE } from '@datamint/core/internal';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { type FileFacts, inspectFile } from '../file-inspection';
import { idempotencyKeyOf, recordIdempotent } from '../idempotency';
import { requireId } from '../ids';
import { isMediaType, servedContentType, storageFor } from '../mimetypes';
import { lastPathComponent, sanitiseFileName } from '../multipart-filename';
import {
  queryBoolean,
  queryDateBound,
  queryJsonFilter,
  queryNonEmpty,
  queryPage,
  type RawQuery,
} from '../query';
import type { JsonValue } from '../repos/json';
import {
  findResource,
  getResourceJson,
  insertResource,
  listChannels,
  listResources,
  markPublished,
  missingResources,
  type NewResource,
  RESOURCE_ORDER_FIELDS,
  RESOURCE_STATUSES,
  type ResourceOrderField,
  type ResourceQuery,
  type ResourceStatus,
  setResourceTags,
  softDeleteResource,
  UNKNOWN_CHANNEL,
} from '../repos/resources';
import {
  channelSchema,
  type JsonSchema,
  listOf,
  ok,
  resourcePageSchema,
  resourceSchema,
} from '../schemas/entities';
import { nowIso } from '../time';
import { receiveUpload, textField } from '../upload';
import { assertRepeat, recordedUpload, type UploadKeyScope, uploadFingerprint } from '../upload-idempotency';
import { optionalArray, optionalStringArray, requireObject } from '../validate';

interface IdParams {
  resource_id: string;
}

/** The exact text the Python SDK looks for to skip already-published resources. */
const UPLOAD_ENDPOINT = 'POST /resources';

function parseStatus(query: RawQuery): ResourceStatus | undefined {
  const status = queryNonEmpty(query, 'status');
  if (status === undefined) return undefined;
  if (!RESOURCE_STATUSES.includes(status as ResourceStatus)) {
    throw new BadRequestError(`status must be one of ${RESOURCE_STATUSES.join(', ')}, got '${status}'`);
  }
  return status as ResourceStatus;
}

function parseOrderField(query: RawQuery): ResourceOrderField | undefined {
  const field = queryNonEmpty(query, 'order_field');
  if (field === undefined) return undefined;
  if (!RESOURCE_ORDER_FIELDS.includes(field as ResourceOrderField)) {
    throw new BadRequestError(
      `order_field must be one of ${RESOURCE_ORDER_FIELDS.join(', ')}, got '${field}'`,
    );
  }
  return field as ResourceOrderField;
}

/** Tags as stored: trimmed, without empties and duplicates, in first-seen order. */
function cleanTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()))].filter((t) => t !== '');
}

/** A JSON body holding `resource_ids` (and the given extra properties). */
function resourceIdsBody(extra: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return {
    type: 'object',
    required: ['resource_ids', ...required],
    properties: { resource_ids: { type: 'array', items: { type: 'string' } }, ...extra },
  };
}

function splitTags(raw: string | undefined): string[] {
  if (!raw) return [];
  return [...new Set(raw.split(',').map((t) => t.trim()))].filter((t) => t !== '');
}

function metadataValue(value: string | JsonValue | undefined): JsonValue {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return typeof value === 'object' ? value : {};
  try {
    const parsed = JSON.parse(value) as JsonValue;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * A NIfTI resource's metadata also carries its header geometry (`dims`, `pixDims`, `affine`, …), which
 * the platform's clients read to place lines and boxes; keys the uploader sent win.
 */
function withNiftiGeometry(metadata: JsonValue, facts: FileFacts): JsonValue {
  if (!facts.niftiMetadata || typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return metadata;
  }
  return { ...facts.niftiMetadata, ...metadata };
}

export function resourceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, store } = ctx;

  app.post('/resources', (req, reply) => ctx.track(createResource(req, reply)));

  /** Answers a repeated request with the resource its key created, storing nothing new. */
  function replay(reply: FastifyReply, customerId: string, id: string) {
    reply.code(201).header('idempotent-replayed', 'true');
    return getResourceJson(db, customerId, id) ?? { id };
  }

  async function createResource(req: FastifyRequest, reply: FastifyReply) {
    const customerId = req.principal.customerId;
    const idempotencyKey = idempotencyKeyOf(req);
    const upload = await receiveUpload(req, ctx, { fileField: 'resource', maxFileBytes: ctx.maxUploadBytes });
    let committedKey: string | undefined;
    try {
      // The whole body is read before a replay: only its content tells a repeat from a reused key.
      const scope: UploadKeyScope | undefined = idempotencyKey
        ? {
            customerId,
            endpoint: UPLOAD_ENDPOINT,
            key: idempotencyKey,
            fingerprint: uploadFingerprint(upload),
            storedFile: (id) => {
              const stored = findResource(db, customerId, id);
              return stored && store.pathOf(stored.file_key);
            },
          }
        : undefined;
      const earlier = scope && recordedUpload(db, scope);
      if (earlier) {
        await assertRepeat(scope, earlier, { ...upload, path: upload.tempPath });
        await store.discardTemp(upload.tempPath);
        return replay(reply, customerId, earlier.entityId);
      }
      const { fields } = upload;
      const sourceFilepath = textField(fields, 'source_filepath') ?? null;
      const filename =
        upload.filename ||
        (sourceFilepath ? sanitiseFileName(lastPathComponent(sourceFilepath)) : '') ||
        'unnamed';
      const sentMimetype = textField(fields, 'mimetype');
      if (sentMimetype !== undefined && !isMediaType(sentMimetype)) {
        throw new BadRequestError(
          `mimetype must be a media type such as image/png, got ${JSON.stringify(sentMimetype.slice(0, 100))}`,
        );
      }
      let mimetype = sentMimetype ?? (isMediaType(upload.partMimetype) ? upload.partMimetype : null);
      const facts = await inspectFile(upload.tempPath, upload.size, mimetype ?? undefined, filename);
      if (!mimetype || mimetype === 'application/octet-stream') {
        if (facts.isDicom) mimetype = 'application/dicom';
        else if (facts.isNifti) mimetype = 'application/x-nifti';
      }
      const bypassRaw = textField(fields, 'bypass_inbox');
      const bypass = bypassRaw !== undefined && /^(true|1)$/i.test(bypassRaw);
      const id = randomUUID();
      const at = nowIso();
      const key = store.keyFor('resources', id);
      await store.commit(upload.tempPath, key);
      committedKey = key;
      const row: NewResource = {
        id,
        customer_id: customerId,
        filename,
        source_filepath: sourceFilepath,
        mimetype,
        size: upload.size,
        storage: storageFor(mimetype, filename),
        upload_channel: textField(fields, 'channel') || UNKNOWN_CHANNEL,
        upload_mechanism: textField(fields, 'source') ?? 'api',
        modality: textField(fields, 'modality') ?? facts.modality,
        tags: JSON.stringify(splitTags(textField(fields, 'tags'))),
        metadata: JSON.stringify(withNiftiGeometry(metadataValue(fields.get('metadata')), facts)),
        status: bypass ? 'published' : 'inbox',
        created_at: at,
        created_by: req.principal.email,
        published_on: bypass ? at : null,
        published_by: bypass ? req.principal.email : null,
        file_key: key,
        rows: facts.rows,
        columns: facts.columns,
        number_of_frames: facts.numberOfFrames,
        study_uid: facts.studyUid,
        series_uid: facts.seriesUid,
        instance_uid: facts.instanceUid,
        transfer_syntax_uid: facts.transferSyntaxUid,
      };
      // A concurrent twin with the same key may have recorded it first: ours is then a repeat of the
      // twin's upload (replayed, our file dropped) or a reused key (422).
      const twin = db.transaction(() => {
        const recorded = scope && recordedUpload(db, scope);
        if (recorded) return recorded;
        if (scope) recordIdempotent(db, scope, id, at);
        insertResource(db, row);
        return undefined;
      })();
      if (scope && twin) {
        await assertRepeat(scope, twin, { ...upload, path: store.pathOf(key) });
        return replay(reply, customerId, twin.entityId);
      }
      committedKey = undefined;
      reply.code(201);
      return getResourceJson(db, customerId, id);
    } catch (err) {
      await store.discardTemp(upload.tempPath);
      throw err;
    } finally {
      if (committedKey) await store.remove(committedKey);
    }
  }

  /** The filters shared by `GET /resources` and `GET /resources/not-annotated`. */
  function resourceQuery(query: RawQuery, customerId: string): ResourceQuery {
    // `ids=True` (return ids only) has no documented reply shape; full objects are returned.
    queryBoolean(query, 'ids');
    return {
      customerId,
      status: parseStatus(query),
      from: queryDateBound(query, 'from', 'start'),
      to: queryDateBound(query, 'to', 'end'),
      modality: queryNonEmpty(query, 'modality'),
      mimetype: queryNonEmpty(query, 'mimetype'),
      channel: queryNonEmpty(query, 'channel_name'),
      projectId: queryNonEmpty(query, 'projectId')?.toLowerCase(),
      projectNames: queryJsonFilter(query, 'project'),
      filename: queryNonEmpty(query, 'filename'),
      tags: queryJsonFilter(query, 'tags'),
      orderField: parseOrderField(query),
      ascending: queryBoolean(query, 'order_by_asc'),
      projectName: queryNonEmpty(query, 'project_name'),
    };
  }

  /** v1.4.1 reads data[0].resources, v2 needs the top-level totalCount: one element even when empty. */
  function resourcePage(q: ResourceQuery, query: RawQuery) {
    const { items, total } = listResources(db, q, queryPage(query));
    return { data: [{ resources: items, totalCount: total }], totalCount: total };
  }

  app.get('/resources', { schema: { response: ok(resourcePageSchema) } }, async (req) =>
    resourcePage(resourceQuery(req.query as RawQuery, req.principal.customerId), req.query as RawQuery),
  );

  app.get('/resources/not-annotated', { schema: { response: ok(resourcePageSchema) } }, async (req) => {
    const query = req.query as RawQuery;
    return resourcePage({ ...resourceQuery(query, req.principal.customerId), notAnnotated: true }, query);
  });

  /** Lower-cased ids, all naming live resources of the customer, or a 404 naming those that do not. */
  function requireResources(customerId: string, raw: readonly string[]): string[] {
    const ids = [...new Set(raw.map((id) => id.trim().toLowerCase()))];
    const missing = missingResources(db, customerId, ids);
    if (missing.length > 0) throw new NotFoundError('Resource', missing.slice(0, 10).join(', '));
    return ids;
  }

  app.delete('/resources', async (req) => {
    const raw = queryNonEmpty(req.query as RawQuery, 'resource_ids');
    if (raw === undefined) {
      throw new BadRequestError("query parameter 'resource_ids' is required (comma-separated resource ids)");
    }
    const customerId = req.principal.customerId;
    const ids = requireResources(
      customerId,
      raw.split(',').filter((id) => id.trim() !== ''),
    );
    const at = nowIso();
    // All or nothing: every id was checked above, and the deletes share one transaction.
    db.transaction(() => {
      for (const id of ids) softDeleteResource(db, id, req.principal.email, at);
    })();
    return { deleted: ids.length };
  });

  app.post('/resources/bulk-publish', { schema: { body: resourceIdsBody({}) } }, async (req) => {
    const body = req.body as { resource_ids: string[] };
    const customerId = req.principal.customerId;
    const ids = requireResources(customerId, body.resource_ids);
    const at = nowIso();
    const published = db.transaction(() => {
      let n = 0;
      for (const id of ids) {
        // Already published resources stay as they are: a bulk request is not an error for them.
        if (findResource(db, customerId, id)?.status !== 'inbox') continue;
        markPublished(db, id, req.principal.email, at);
        n++;
      }
      return n;
    })();
    return { published };
  });

  app.put(
    '/resources/tags',
    { schema: { body: resourceIdsBody({ tags: { type: 'array', items: { type: 'string' } } }, ['tags']) } },
    async (req) => {
      const body = req.body as { resource_ids: string[]; tags: string[] };
      const ids = requireResources(req.principal.customerId, body.resource_ids);
      const tags = cleanTags(body.tags);
      db.transaction(() => {
        for (const id of ids) setResourceTags(db, id, tags);
      })();
      return { updated: ids.length, tags };
    },
  );

  // Filters such as project_name are accepted and ignored: channels are the customer's upload groups.
  app.get('/resources/channels', { schema: { response: ok(listOf(channelSchema)) } }, async (req) => {
    const { items, total } = listChannels(db, req.principal.customerId, queryPage(req.query as RawQuery));
    return { data: items, totalCount: String(total) };
  });

  app.get<{ Params: IdParams }>(
    '/resources/:resource_id',
    { schema: { response: ok(resourceSchema) } },
    async (req) => {
      const id = requireId('Resource', req.params.resource_id);
      const resource = getResourceJson(db, req.principal.customerId, id);
      if (!resource) throw new NotFoundError('Resource');
      return resource;
    },
  );

  app.delete<{ Params: IdParams }>('/resources/:resource_id', async (req) => {
    const id = requireId('Resource', req.params.resource_id);
    if (!findResource(db, req.principal.customerId, id)) throw new NotFoundError('Resource');
    softDeleteResource(db, id, req.principal.email, nowIso());
    return {};
  });

  app.get<{ Params: IdParams }>('/resources/:resource_id/file', async (req, reply) => {
    const id = requireId('Resource', req.params.resource_id);
    const row = findResource(db, req.principal.customerId, id);
    if (!row) throw new NotFoundError('Resource');
    const path = store.pathOf(row.file_key);
    reply
      .header('content-type', servedContentType(row.mimetype))
      .header('content-length', String(row.size))
      .header(
        'content-disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(sanitiseFileName(row.filename))}`,
      );
    return reply.send(createReadStream(path));
  });

  app.get<{ Params: IdParams & { frame_index: string } }>(
    '/resources/:resource_id/frames/:frame_index',
    async (req, reply) => {
      const id = requireId('Resource', req.params.resource_id);
      const rawIndex = req.params.frame_index;
      if (!/^\d{1,9}$/.test(rawIndex)) {
        throw new BadRequestError(
          `frame_index must be a non-negative integer, got '${rawIndex.slice(0, 50)}'`,
        );
      }
      const row = findResource(db, req.principal.customerId, id);
      if (!row) throw new NotFoundError('Resource');
      const png = await ctx.render.run('frame', {
        source: {
          path: store.pathOf(row.file_key),
          mimetype: row.mimetype,
          filename: row.filename,
          storage: row.storage,
        },
        index: Number(rawIndex),
        limits: ctx.decodeLimits,
      });
      return reply
        .code(200)
        .header('content-type', 'image/png')
        .send(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
    },
  );

  app.put<{ Params: IdParams }>('/resources/:resource_id/tags', async (req) => {
    const id = requireId('Resource', req.params.resource_id);
    if (!findResource(db, req.principal.customerId, id)) throw new NotFoundError('Resource');
    const body = requireObject(req.body ?? {}, 'body');
    const tags = optionalStringArray(body, 'tags', 'body');
    // frame_labels (per-frame labels) are accepted for compatibility but not stored.
    optionalArray(body, 'frame_labels', 'body');
    if (tags !== null) setResourceTags(db, id, cleanTags(tags));
    return getResourceJson(db, req.principal.customerId, id);
  });

  app.post<{ Params: IdParams }>('/resources/:resource_id/publish', async (req) => {
    const id = requireId('Resource', req.params.resource_id);
    const row = findResource(db, req.principal.customerId, id);
    if (!row) throw new NotFoundError('Resource');
    if (row.status !== 'inbox') throw new BadRequestError(NOT_IN_INBOX_MESSAGE);
    markPublished(db, id, req.principal.email, nowIso());
    return getResourceJson(db, req.principal.customerId, id);
  });
}
