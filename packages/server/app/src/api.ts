// The page's view of the server's API: the same routes and query encoding the SDKs use, with the key
// in the `apikey` header. Every failure becomes an ApiError with a message a person can act on.

/** A request the server refused or that never reached it. */
export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached. */
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** A resource as the listing returns it (unknown fields are kept). */
export interface ResourceItem {
  id: string;
  filename: string;
  mimetype: string;
  status: string;
  modality?: string | null;
  tags?: string[] | null;
  upload_channel?: string | null;
  created_at?: string;
  size?: number;
  metadata?: Record<string, unknown> | null;
  frame_count?: number | null;
  [key: string]: unknown;
}

/** An annotation as `GET /annotations` returns it. */
export interface AnnotationItem {
  id: string;
  resource_id: string;
  identifier: string;
  type: string;
  scope: string;
  frame_index: number | null;
  value: unknown;
  geometry: unknown;
  file: string | null;
  [key: string]: unknown;
}

/** A project as `GET /projects` returns it. */
export interface ProjectItem {
  id: string;
  name: string;
  description?: string | null;
  worklist_id?: string | null;
  dataset_id?: string | null;
  resource_count?: number;
  [key: string]: unknown;
}

/** A worklist as `GET /annotationsets` returns it. */
export interface WorklistItem {
  id: string;
  name: string;
  status?: string;
  project_id?: string | null;
  resource_count?: number;
  [key: string]: unknown;
}

/** The listing filters the page offers; empty values are not sent. */
export interface ResourceFilters {
  status?: string;
  channel?: string;
  tags?: string[];
  modality?: string;
  mimetype?: string;
  projectName?: string;
  from?: string;
  to?: string;
  filename?: string;
}

/** One page of resources and the number that match the filters. */
export interface ResourcePage {
  items: ResourceItem[];
  total: number;
}

function messageOf(status: number, body: unknown): string {
  const text =
    body && typeof body === 'object' && 'message' in body && typeof body.message === 'string'
      ? body.message
      : '';
  if (status === 401 || status === 403) return 'The server refused the API key. Check it and sign in again.';
  return text ? `${text} (HTTP ${status})` : `The server answered HTTP ${status}.`;
}

/** The listing's query string, encoded as the Python SDK encodes it (lists as JSON). */
export function resourceQuery(filters: ResourceFilters, offset: number, limit: number): URLSearchParams {
  const q = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined && value.trim() !== '') q.set(name, value.trim());
  };
  set('status', filters.status);
  set('channel_name', filters.channel);
  set('modality', filters.modality);
  set('mimetype', filters.mimetype);
  set('filename', filters.filename);
  set('from', filters.from);
  set('to', filters.to);
  if (filters.tags && filters.tags.length > 0) q.set('tags', JSON.stringify(filters.tags));
  if (filters.projectName?.trim()) q.set('project', JSON.stringify([filters.projectName.trim()]));
  return q;
}

/** The API as the page uses it; `baseUrl` is the server's origin. */
export class ServerApi {
  readonly baseUrl: string;
  readonly #key: string;
  constructor(baseUrl: string, key: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.#key = key;
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), apikey: this.#key },
      });
    } catch {
      throw new ApiError('The server cannot be reached. Is datamint-server still running?', 0);
    }
    if (!response.ok) {
      const body = await response.json().catch(() => undefined);
      throw new ApiError(messageOf(response.status, body), response.status);
    }
    return response;
  }

  async #json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.#fetch(path, init)).json()) as T;
  }

  /** Checks the key with a cheap authenticated call; throws ApiError when refused. */
  async check(): Promise<void> {
    await this.#json('/projects');
  }

  async listResources(filters: ResourceFilters, offset: number, limit: number): Promise<ResourcePage> {
    const body = await this.#json<{ data: [{ resources: ResourceItem[]; totalCount?: number }] }>(
      `/resources?${resourceQuery(filters, offset, limit)}`,
    );
    const page = body.data[0];
    return { items: page?.resources ?? [], total: Number(page?.totalCount ?? page?.resources.length ?? 0) };
  }

  getResource(id: string): Promise<ResourceItem> {
    return this.#json(`/resources/${encodeURIComponent(id)}`);
  }

  async resourceFile(id: string): Promise<Uint8Array> {
    const response = await this.#fetch(`/resources/${encodeURIComponent(id)}/file`);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The server's rendering of one frame, as a PNG blob. */
  async frame(id: string, index: number): Promise<Blob> {
    return (await this.#fetch(`/resources/${encodeURIComponent(id)}/frames/${index}`)).blob();
  }

  async annotations(resourceId: string): Promise<AnnotationItem[]> {
    const q = new URLSearchParams({ resource_id: resourceId, offset: '0', limit: '5000' });
    const body = await this.#json<{ data: AnnotationItem[] } | AnnotationItem[]>(`/annotations?${q}`);
    return Array.isArray(body) ? body : body.data;
  }

  /** The PNG mask of a segmentation annotation. */
  async mask(annotation: AnnotationItem): Promise<Blob> {
    const path = `/annotations/${encodeURIComponent(annotation.resource_id)}/annotations/${encodeURIComponent(annotation.id)}/file`;
    return (await this.#fetch(path)).blob();
  }

  async projects(): Promise<ProjectItem[]> {
    return (await this.#json<{ data: ProjectItem[] }>('/projects')).data;
  }

  getProject(id: string): Promise<ProjectItem> {
    return this.#json(`/projects/${encodeURIComponent(id)}`);
  }

  async projectResources(id: string): Promise<ResourceItem[]> {
    const body = await this.#json<ResourceItem[] | { data: ResourceItem[] }>(
      `/projects/${encodeURIComponent(id)}/resources`,
    );
    return Array.isArray(body) ? body : body.data;
  }

  async worklists(): Promise<WorklistItem[]> {
    const body = await this.#json<{ data: WorklistItem[] } | WorklistItem[]>('/annotationsets');
    return Array.isArray(body) ? body : body.data;
  }

  /**
   * Uploads one file as a resource (the multipart fields the SDKs send), reporting bytes sent.
   * XMLHttpRequest because fetch cannot report upload progress.
   */
  uploadResource(
    file: Blob,
    fields: Record<string, string>,
    filename: string,
    onBytes: (sent: number, total: number) => void,
  ): Promise<ResourceItem> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('resource', file, filename);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.baseUrl}/resources`);
      xhr.setRequestHeader('apikey', this.#key);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => onBytes(e.loaded, e.total);
      xhr.onerror = () =>
        reject(new ApiError('The server cannot be reached. Is datamint-server still running?', 0));
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(normaliseCreated(xhr.response));
        else reject(new ApiError(messageOf(xhr.status, xhr.response), xhr.status));
      };
      xhr.send(form);
    });
  }

  /** Attaches a per-frame segmentation mask (PNG) to a resource under a label name. */
  async uploadMask(resourceId: string, mask: Blob, label: string, frameIndex: number): Promise<void> {
    // The v1.4.1 wire answers the new ids as a list of strings.
    const created = await this.#json<Array<string | { id: string }>>(
      `/annotations/${encodeURIComponent(resourceId)}/annotations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            identifier: label,
            scope: 'frame',
            frame_index: frameIndex,
            type: 'segmentation',
            is_model: false,
          },
        ]),
      },
    );
    const first = Array.isArray(created) ? created[0] : undefined;
    const id = typeof first === 'string' ? first : first?.id;
    if (!id) throw new ApiError('The server did not return the new annotation id.', 500);
    const form = new FormData();
    form.append('file', mask, `${label}.png`);
    await this.#fetch(
      `/annotations/${encodeURIComponent(resourceId)}/annotations/${encodeURIComponent(id)}/file`,
      { method: 'POST', body: form },
    );
  }
}

function normaliseCreated(body: unknown): ResourceItem {
  // POST /resources answers the new id (a string or {id}) on the v1.4.1 wire.
  if (typeof body === 'string') return { id: body } as ResourceItem;
  if (body && typeof body === 'object' && 'id' in body) return body as ResourceItem;
  throw new ApiError('The server answered the upload without an id.', 500);
}
