import type { ResourceFilters, ServerApi } from '../api';
import { errorBox, formatBytes, h, replace } from '../dom';
import { viewerHash } from '../router';

/** Rows per page of the listing. */
export const PAGE_SIZE = 50;

const FILTER_FIELDS: Array<{ name: keyof ResourceFilters | 'page'; label: string; type?: string }> = [
  { name: 'filename', label: 'File name contains' },
  { name: 'channel', label: 'Channel' },
  { name: 'tags', label: 'Tags (comma-separated)' },
  { name: 'modality', label: 'Modality' },
  { name: 'mimetype', label: 'Mimetype' },
  { name: 'projectName', label: 'Project' },
  { name: 'from', label: 'From', type: 'date' },
  { name: 'to', label: 'To', type: 'date' },
];

const STATUSES = ['', 'inbox', 'published', 'archived'];

/** The listing filters held in the page's hash query. */
export function filtersFromQuery(query: URLSearchParams): ResourceFilters {
  const text = (name: string) => query.get(name) ?? undefined;
  const tags = (query.get('tags') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    status: text('status'),
    filename: text('filename'),
    channel: text('channel'),
    tags: tags.length > 0 ? tags : undefined,
    modality: text('modality'),
    mimetype: text('mimetype'),
    projectName: text('projectName'),
    from: text('from'),
    to: text('to'),
  };
}

/** The resource list: filters, one page of rows, counts and paging. */
export async function renderResources(
  main: HTMLElement,
  api: ServerApi,
  query: URLSearchParams,
): Promise<void> {
  const filters = filtersFromQuery(query);
  const page = Math.max(0, Number(query.get('page') ?? '0') || 0);

  const form = h('form', { class: 'filters', id: 'resource-filters' });
  const status = h('select', { name: 'status', id: 'filter-status' });
  for (const s of STATUSES) {
    const option = h('option', { value: s }, s === '' ? 'any status' : s);
    if ((query.get('status') ?? '') === s) option.selected = true;
    status.append(option);
  }
  form.append(h('label', {}, 'Status', status));
  for (const field of FILTER_FIELDS) {
    const input = h('input', {
      name: field.name,
      id: `filter-${field.name}`,
      type: field.type ?? 'text',
      value: query.get(field.name) ?? '',
    });
    form.append(h('label', {}, field.label, input));
  }
  form.append(h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string' && value.trim() !== '') next.set(name, value.trim());
    }
    location.hash = `#/resources?${next}`;
  });

  const body = h('div', { id: 'resource-list' }, h('p', { class: 'muted' }, 'Loading…'));
  replace(main, h('h1', {}, 'Resources'), form, body);

  let result: Awaited<ReturnType<ServerApi['listResources']>>;
  try {
    result = await api.listResources(filters, page * PAGE_SIZE, PAGE_SIZE);
  } catch (err) {
    replace(body, errorBox((err as Error).message));
    return;
  }
  const first = result.total === 0 ? 0 : page * PAGE_SIZE + 1;
  const last = page * PAGE_SIZE + result.items.length;
  const counts = h('p', { class: 'counts', id: 'resource-counts' }, `${first}–${last} of ${result.total}`);
  if (result.items.length === 0) {
    replace(body, counts, h('p', { class: 'muted' }, 'No resource matches these filters.'));
    return;
  }
  const rows = result.items.map((r) =>
    h(
      'tr',
      { 'data-resource-id': r.id },
      h('td', {}, h('a', { href: viewerHash(r.id) }, r.filename || r.id)),
      h('td', {}, r.mimetype),
      h('td', {}, r.modality ?? ''),
      h('td', {}, h('span', { class: `status status-${r.status}` }, r.status)),
      h('td', {}, (r.tags ?? []).join(', ')),
      h('td', {}, r.upload_channel ?? ''),
      h('td', {}, typeof r.size === 'number' ? formatBytes(r.size) : ''),
      h('td', {}, r.created_at ? new Date(r.created_at).toLocaleString() : ''),
    ),
  );
  const table = h(
    'table',
    { class: 'list' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['File', 'Mimetype', 'Modality', 'Status', 'Tags', 'Channel', 'Size', 'Created'].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h('tbody', {}, ...rows),
  );
  const pageLink = (to: number, label: string) => {
    const next = new URLSearchParams(query);
    next.set('page', String(to));
    return h('a', { href: `#/resources?${next}`, class: 'button' }, label);
  };
  const pager = h(
    'nav',
    { class: 'pager' },
    page > 0 ? pageLink(page - 1, '← Previous') : null,
    last < result.total ? pageLink(page + 1, 'Next →') : null,
  );
  replace(body, counts, table, pager);
}
