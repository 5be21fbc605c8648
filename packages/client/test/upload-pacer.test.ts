import { APIUserAbortError } from '@datamint/core';
import { describe, expect, it } from 'vitest';
import { eventLoopPacer } from '../src/upload/pacer';

describe('eventLoopPacer', () => {
  it('yields to the event loop once its budget is spent, letting waiting callbacks run', async () => {
    const pace = eventLoopPacer(0);
    const ran: string[] = [];
    setImmediate(() => ran.push('immediate'));
    const turn = pace();
    expect(turn).toBeInstanceOf(Promise);
    expect(ran).toEqual([]);
    await turn;
    expect(ran).toEqual(['immediate']);
  });

  it('returns at once, without a promise, while the budget lasts', () => {
    const pace = eventLoopPacer(Number.POSITIVE_INFINITY);
    expect(pace()).toBeUndefined();
    expect(pace()).toBeUndefined();
  });

  it('throws APIUserAbortError at the next item once its signal fired, budget or not', () => {
    const controller = new AbortController();
    const pace = eventLoopPacer(Number.POSITIVE_INFINITY, controller.signal);
    expect(pace()).toBeUndefined();
    controller.abort('enough');
    expect(() => pace()).toThrow(APIUserAbortError);
  });
});
