import { unsupported } from '../unsupported';

const refuse = (name: string) => {
  const fail = unsupported(`fs.${name}`);
  return async (subject?: unknown): Promise<never> => fail(subject);
};

/** Refused in the browser: no file system. */
export const readFile = refuse('readFile');
/** Refused in the browser: no file system. */
export const stat = refuse('stat');
/** Refused in the browser: no file system. */
export const open = refuse('open');
/** Refused in the browser: no file system. */
export const mkdtemp = refuse('mkdtemp');
/** Refused in the browser: no file system. */
export const mkdir = refuse('mkdir');
/** Refused in the browser: no file system (never reached: the browser build creates no spool folder). */
export const rm = refuse('rm');
