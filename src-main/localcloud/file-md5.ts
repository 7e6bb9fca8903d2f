import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Hex MD5 of a whole file, read 1 MiB at a time into one buffer. */
export async function md5OfFile(file: string): Promise<string> {
  const hash = createHash('md5');
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}
