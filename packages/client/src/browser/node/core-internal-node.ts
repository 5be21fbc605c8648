import { unsupported } from '../unsupported';

const refuse = (name: string) => {
  const fail = unsupported(name);
  return async (subject?: unknown): Promise<never> => fail(subject);
};

/** Refused in the browser: no file system to make folders in. */
export const makeDirectory = refuse('makeDirectory');
/** Refused in the browser: no files to compare. */
export const sameFileBytes = refuse('sameFileBytes');
