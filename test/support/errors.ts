import { expect } from 'vitest';
import { FerryError, toAppError, type AppError } from '../../src-shared/errors.js';

/** The typed error a call rejects with; fails the test when it resolves or throws something else. */
export async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FerryError);
    return toAppError(err);
  }
  throw new Error('expected a rejection');
}
