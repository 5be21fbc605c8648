import { describe, expect, it } from 'vitest';
import { encodeQuery, pythonIsoFormat, pythonJsonDumps, quoteAll } from '../src/internal';

describe('query strings as Python requests encodes them', () => {
  it('omits null/undefined, capitalises booleans, keeps integers', () => {
    expect(encodeQuery({ a: undefined, b: null, c: true, d: false, offset: 0, limit: 5000 })).toBe(
      'c=True&d=False&offset=0&limit=5000',
    );
  });

  it('form-urlencodes strings: space -> +, / @ { " escaped', () => {
    expect(encodeQuery({ filename: 'a b/c@d{"' })).toBe('filename=a+b%2Fc%40d%7B%22');
    expect(encodeQuery({ s: "it's (ok)*!~" })).toBe('s=it%27s+%28ok%29%2A%21~');
  });

  it('reproduces the spec example for a JSON tags filter', () => {
    const tags = pythonJsonDumps({ items: ['t 1', 't2'], filterType: 'union' });
    expect(tags).toBe('{"items": ["t 1", "t2"], "filterType": "union"}');
    expect(encodeQuery({ tags })).toBe(
      'tags=%7B%22items%22%3A+%5B%22t+1%22%2C+%22t2%22%5D%2C+%22filterType%22%3A+%22union%22%7D',
    );
  });

  it('dates as Python isoformat (no Z)', () => {
    expect(pythonIsoFormat(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02T03:04:05+00:00');
    expect(pythonIsoFormat(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120)))).toBe(
      '2024-01-02T03:04:05.120000+00:00',
    );
  });

  it('arrays repeat the key', () => {
    expect(encodeQuery({ id: ['a', 'b'] })).toBe('id=a&id=b');
  });
});

describe('JSON as Python json.dumps writes it', () => {
  it('uses ", " and ": " separators, escapes non-ASCII, skips undefined members, keeps null', () => {
    expect(pythonJsonDumps({ name: 'José 🦴', n: 1.5, x: null, y: undefined, arr: [1, 'a'] })).toBe(
      '{"name": "Jos\\u00e9 \\ud83e\\uddb4", "n": 1.5, "x": null, "arr": [1, "a"]}',
    );
  });
  it('rejects NaN like the sync Python path', () => {
    expect(() => pythonJsonDumps(Number.NaN)).toThrow(TypeError);
  });
});

describe('multipart file names as aiohttp quotes them', () => {
  it('percent-encodes everything but _.-~', () => {
    expect(quoteAll('img é 1.png')).toBe('img%20%C3%A9%201.png');
    expect(quoteAll('a/b_c-d~e.dcm')).toBe('a%2Fb_c-d~e.dcm');
  });
});
