import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errnoCode, isPermissionError, nodeFs } from '../../src-main/engine/file-system.js';

describe('engine file-system seam', () => {
  it('errnoCode reads the code of a real system error, and nothing from anything else', async () => {
    const missing = await nodeFs.stat(path.join('/nonexistent-ferry', 'x')).catch((e: unknown) => e);
    expect(errnoCode(missing)).toBe('ENOENT');
    expect(errnoCode(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
    expect(errnoCode(new Error('no code'))).toBeUndefined();
    expect(errnoCode(null)).toBeUndefined();
    expect(errnoCode('ENOENT')).toBeUndefined();
    expect(errnoCode({ code: 'EACCES' })).toBe('EACCES');
  });

  it('permission errors are EACCES, EPERM and EBUSY only', () => {
    for (const code of ['EACCES', 'EPERM', 'EBUSY']) expect(isPermissionError({ code })).toBe(true);
    for (const code of ['ENOENT', 'EISDIR', undefined]) expect(isPermissionError({ code })).toBe(false);
    expect(isPermissionError(new Error('plain'))).toBe(false);
  });
});
