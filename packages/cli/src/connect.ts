import { HttpClient, type ResolvedConfig } from '@datamint/core';
import type { Terminal } from './ui/terminal';

/** GET /projects with the resolved settings; the number of projects proves key and URL work. */
export async function countProjects(config: ResolvedConfig, term: Terminal): Promise<number> {
  const http = new HttpClient({
    rootUrl: config.rootUrl,
    apiKey: config.apiKey,
    timeout: 30_000,
    maxRetries: 1,
    log: (event) =>
      term.debug(`${event.type} ${event.method} ${event.url}${event.status ? ` ${event.status}` : ''}`),
  });
  try {
    const body = await http.request<{ data?: unknown }>({ method: 'GET', path: 'projects' });
    if (!body || !Array.isArray(body.data)) {
      throw new Error(`GET ${config.rootUrl}/projects did not return a project list`);
    }
    return body.data.length;
  } finally {
    await http.close();
  }
}
