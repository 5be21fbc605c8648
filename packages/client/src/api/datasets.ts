import type { Paginated } from '@datamint/core';
import {
  type CallOptions,
  callOpts,
  type HandlerContext,
  type ListOptions,
  relabelNotFound,
  requireString,
} from '../context';
import { UnexpectedResponseError, ValidationError } from '../errors';
import { DatasetEntity, type DatasetLinks } from './entities/dataset';
import { ResourceEntity, type ResourceLinks } from './entities/resource';
import { entityId, idOf } from './ids';
import { paged, pageItems } from './pages';
import { type FileWritten, rawCall, type StreamToFileOptions, streamToFile } from './requests';

/** Formats of `api.datasets.download`. */
export type DatasetDownloadFormat = 'jpg' | 'png' | 'tiff' | 'dicom' | 'npy' | 'nifti';
const DOWNLOAD_FORMATS: readonly DatasetDownloadFormat[] = ['jpg', 'png', 'tiff', 'dicom', 'npy', 'nifti'];

/** A dataset given by id or as the entity. */
export type DatasetRef = string | DatasetEntity;

/** What `api.datasets.updateResources` changes. */
export interface UpdateDatasetResources extends CallOptions {
  /** Resources to add. */
  add?: readonly (
    | string
    | {
        /** The resource's id. */
        readonly id: string;
      }
  )[];
  /** Resources to remove. */
  remove?: readonly (
    | string
    | {
        /** The resource's id. */
        readonly id: string;
      }
  )[];
  /** The project the change is made for. */
  project?:
    | string
    | {
        /** The project's id. */
        readonly id: string;
      };
}

/**
 * `api.datasets`: the datasets behind projects (the Python SDK keeps this group private).
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * const api = await Api.connect();
 * const project = await api.projects.create('Lungs', { existsOk: true });
 * const dataset = await api.datasets.getById(project.datasetId);
 * await api.datasets.updateResources(dataset, { add: ['3f2c0a8e-1b2d-4c5e-8f90-1a2b3c4d5e6f'] });
 * await api.close();
 * ```
 */
export class DatasetsApi {
  readonly #context: () => Promise<HandlerContext>;
  readonly #pageSize: number;
  readonly #resourceLinks: () => Promise<ResourceLinks>;

  /** @internal Built by `Api`. */
  constructor(
    context: () => Promise<HandlerContext>,
    pageSize: number,
    resourceLinks: () => Promise<ResourceLinks>,
  ) {
    this.#context = context;
    this.#pageSize = pageSize;
    this.#resourceLinks = resourceLinks;
  }

  /** What the datasets this group returns fetch with. */
  readonly #entityLinks: DatasetLinks = {
    refetch: async (id, options) => (await this.getById(id, options)).toJSON(),
    resourcesOf: async (id, options) => {
      const body = await this.getResources(id, options);
      const links = await this.#resourceLinks();
      return pageItems(body, 'resources', `GET /datasets/${id}/resources`).map(
        (item) => new ResourceEntity(item, links),
      );
    },
  };

  /** Datasets, lazily paged. */
  getList(options: ListOptions = {}): Paginated<DatasetEntity> {
    return paged(
      this.#context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'datasets',
        field: 'datasets',
        build: (item) => new DatasetEntity(item, this.#entityLinks),
      },
    );
  }

  /** One dataset; an unknown id is `ResourceNotFoundError('dataset', {id})`. */
  async getById(datasetId: string, options?: CallOptions): Promise<DatasetEntity> {
    const id = entityId(datasetId, 'datasetId');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `datasets/${id}`, ...callOpts(options) }),
      'dataset',
      { id },
    );
    return new DatasetEntity(body, this.#entityLinks);
  }

  /** Adds and/or removes resources (`POST /datasets/{id}/resources`). */
  async updateResources(
    dataset: DatasetRef,
    change: UpdateDatasetResources,
    options?: CallOptions,
  ): Promise<void> {
    const id = idOf(dataset, 'dataset');
    const json: Record<string, unknown> = { all_files_selected: false };
    if (change.add !== undefined) json.resource_ids_to_add = change.add.map((r, i) => idOf(r, `add[${i}]`));
    if (change.remove !== undefined)
      json.resource_ids_to_delete = change.remove.map((r, i) => idOf(r, `remove[${i}]`));
    if (change.project !== undefined) json.project_id = idOf(change.project, 'project');
    if (change.add === undefined && change.remove === undefined) {
      throw new ValidationError('change', change, 'resources to add and/or remove');
    }
    const ctx = await this.#context();
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'POST',
          path: `datasets/${id}/resources`,
          json,
          // Adding or removing the same ids again changes nothing.
          retrySafe: true,
          ...callOpts(options ?? change),
        }),
      'dataset',
      { id },
    );
  }

  /** Deletes a dataset. */
  async delete(dataset: DatasetRef, options?: CallOptions): Promise<void> {
    const id = idOf(dataset, 'dataset');
    const ctx = await this.#context();
    await relabelNotFound(
      () => ctx.http.request({ method: 'DELETE', path: `datasets/${id}`, ...callOpts(options) }),
      'dataset',
      { id },
    );
  }
  /** The dataset's resources, optionally of one version (as the server sends them). */
  async getResources(
    dataset: DatasetRef,
    options: CallOptions & { version?: string | number } = {},
  ): Promise<unknown> {
    const id = idOf(dataset, 'dataset');
    return rawCall(
      this.#context,
      { method: 'GET', path: `datasets/${id}/resources`, query: { version: options.version } },
      { resourceType: 'dataset', params: { id } },
      options,
    );
  }

  /**
   * Streams the dataset as an archive of `format` files (default `dicom`) to `outputPath`: a
   * download token is asked for first, then the archive is streamed. An error answer is an error,
   * never the file's content.
   */
  async download(
    dataset: DatasetRef,
    outputPath: string,
    options: StreamToFileOptions & { format?: DatasetDownloadFormat } = {},
  ): Promise<FileWritten> {
    const id = idOf(dataset, 'dataset');
    requireString(outputPath, 'outputPath');
    const format = options.format ?? 'dicom';
    if (!DOWNLOAD_FORMATS.includes(format))
      throw new ValidationError('format', format, DOWNLOAD_FORMATS.join(', '));
    const token = await rawCall(
      this.#context,
      { method: 'GET', path: `datasets/${id}/download/${format}` },
      { resourceType: 'dataset', params: { id } },
      options,
    );
    if (typeof token !== 'string' || token === '' || /[/?#]/.test(token) || token === '.' || token === '..') {
      throw new UnexpectedResponseError(
        `GET /datasets/${id}/download/${format}`,
        token,
        'a download token string',
      );
    }
    return streamToFile(
      this.#context,
      { path: `datasets/download/${encodeURIComponent(token)}` },
      outputPath,
      { resourceType: 'dataset download', params: { id } },
      options,
    );
  }
}
