import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Creates a fresh temp directory under os.tmpdir(); remove it with removeTempDir. */
export async function makeTempDir(prefix = 'ferry-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Deletes a temp directory and everything in it (no error if already gone). */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
