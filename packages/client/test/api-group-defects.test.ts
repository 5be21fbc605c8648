import type { RequestLogEvent } from '@datamint/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, type ApiHarness, startApiHarness } from './helpers/server';

// Defects of the platform's Python client in these groups, each shown not to happen here.

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('Api groups do not copy the platform client defects', () => {
  it('never logs the key that every request carries (the platform client logs its Authorization header in clear)', async () => {
    const events: RequestLogEvent[] = [];
    const api = h.another({ log: (e) => events.push(e) });
    h.proxy.take();
    const project = await api.projects.create('Logged', { existsOk: true });
    await api.projects.getMembers(project);
    await api.users.getInvitations();
    await api.annotationWorklists.getByProject(project);
    await api.datasets.getResources(project.datasetId);
    const sent = h.proxy.take();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => JSON.stringify(r.headers).includes(API_KEY))).toBe(true);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.curl === '' || e.curl.includes('apikey: ***'))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(API_KEY);
  });

  it('retries a group request the server answers 503 (the platform client never retries)', async () => {
    const faulty = await startApiHarness({
      faults: { rate: 0.5, kinds: ['503'], seed: 3, retryAfterSeconds: 0 },
    });
    const events: RequestLogEvent[] = [];
    const api = faulty.another({
      log: (e) => events.push(e),
      backoff: { baseDelayMs: 1, maxDelayMs: 5 },
      maxRetries: 10,
    });
    try {
      for (let i = 0; i < 6; i++) await api.users.getList().toArray();
      await api.annotationWorklists.getList().toArray();
      const retries = events.filter((e) => e.type === 'retry').length;
      expect(retries).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'error')).toBe(false);
      // Each retry is a request of its own on the wire, not one the client only logged.
      expect(faulty.proxy.requests.length).toBeGreaterThanOrEqual(7 + retries);
    } finally {
      await faulty.close();
    }
  });
});
