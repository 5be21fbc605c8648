import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from '../src/internal';

const KEY = 'sk-abcdef123456';

describe('redactUrl', () => {
  it.each([
    // [url, shown]
    ['http://h/resources', 'http://h/resources'],
    [`http://h/resources/${KEY}/file`, 'http://h/resources/***/file'],
    ['http://h/r?limit=5', 'http://h/r?limit=5'],
    ['http://h/r?apikey=zzzz&limit=5', 'http://h/r?apikey=***&limit=5'],
    ['http://h/r?Access_Token=zzzz', 'http://h/r?Access_Token=***'],
    [`http://h/r?q=${KEY}`, 'http://h/r?q=***'],
    ['http://user:hunter22@h/r', 'http://user:***@h/r'],
    ['http://h/users/a@b.org', 'http://h/users/a@b.org'],
    [`not a url ${KEY}`, 'not a url ***'],
  ])('%s is shown as %s', (url, shown) => {
    expect(redactUrl(url, [KEY])).toBe(shown);
  });
});

describe('redactSecrets', () => {
  it.each([
    [`a ${KEY} b ${KEY}`, [KEY], 'a *** b ***'],
    ['nothing secret', [KEY], 'nothing secret'],
    // Secrets shorter than 4 characters would mask ordinary words.
    ['abc abc', ['abc'], 'abc abc'],
    ['x', [undefined, ''], 'x'],
  ] as const)('%s', (text, secrets, shown) => {
    expect(redactSecrets(text, secrets)).toBe(shown);
  });
});
