/**
 * `@datamint/core` in browsers (the `browser` and `default` export conditions): the same error
 * tree, retries, idempotency keys, time-outs and abort signals as in Node, with requests carried by
 * `fetch`. There is no configuration file or environment here: give `rootUrl` and `apiKey`.
 *
 * @packageDocumentation
 */
export * from './common';
export { HttpClient, type HttpClientOptions } from './http-client.browser';

/** The platform's `FormData` (Node's entry exports undici's, which its transport streams). */
export const FormData: typeof globalThis.FormData = globalThis.FormData;
/** The platform's `FormData`. */
export type FormData = globalThis.FormData;
