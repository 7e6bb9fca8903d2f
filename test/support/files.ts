import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/** Writes `size` random bytes to `filePath` and returns them. */
export async function writeRandomFile(filePath: string, size: number): Promise<Buffer> {
  const bytes = randomBytes(size);
  await writeFile(filePath, bytes);
  return bytes;
}

/** Streams a file through a hash (lowercase hex). */
export async function hashFile(filePath: string, algorithm: 'md5' | 'sha256' = 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(filePath) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

export const md5File = (filePath: string): Promise<string> => hashFile(filePath, 'md5');
export const sha256File = (filePath: string): Promise<string> => hashFile(filePath, 'sha256');

/** Hash of an in-memory buffer. */
export function hashBytes(bytes: Buffer, algorithm: 'md5' | 'sha256' = 'sha256', encoding: 'hex' | 'base64' = 'hex'): string {
  return createHash(algorithm).update(bytes).digest(encoding);
}
