import { createHash, type Hash } from 'node:crypto';

/**
 * The MD5 of every fixed-size block of a file, built from byte ranges that arrive in any order
 * (intelligent ingestion sends 8 MiB parts, three at once, while the engine's content key wants
 * 6 MiB blocks: content-key.ts). A range that continues where its block's hash stands is hashed
 * at once; one ahead of it is copied and held until the gap before it arrives, so what is held
 * is at most the heads of blocks that straddle parts still in flight. A range offered twice (a
 * retried chunk) is ignored once hashed. Each finished block goes to `onBlock` (index, base64).
 */
export type BlockMd5s = {
  /** Bytes per block. */
  readonly blockSize: number;
  /** `bytes` are the file's bytes at `offset`. The caller may reuse the buffer afterwards. */
  offer(offset: number, bytes: Buffer): void;
  /**
   * The MD5 (base64) of a chunk about to be sent, its bytes offered at the same time. Where the
   * chunk starts a block, one pass serves both (the block's hash continues from a copy of the
   * chunk's), so a sender that cuts its chunks at block boundaries hashes most bytes once.
   */
  chunkMd5(offset: number, bytes: Buffer): string;
};

type Open = { hash: Hash; at: number; readonly held: Map<number, Buffer> };

export function createBlockMd5s(size: number, blockSize: number, onBlock: (index: number, md5Base64: string) => void): BlockMd5s {
  const open = new Map<number, Open>();
  const finished = new Set<number>();

  const stateOf = (block: number): Open => {
    let state = open.get(block);
    if (!state) {
      state = { hash: createHash('md5'), at: 0, held: new Map() };
      open.set(block, state);
    }
    return state;
  };
  // Hashes held pieces that now line up, and reports the block once it is whole.
  const settle = (block: number, state: Open, blockLength: number): void => {
    for (let next = state.held.get(state.at); next !== undefined; next = state.held.get(state.at)) {
      state.held.delete(state.at);
      state.hash.update(next);
      state.at += next.length;
    }
    if (state.at >= blockLength) {
      onBlock(block, state.hash.digest('base64'));
      finished.add(block);
      open.delete(block);
    }
  };
  const place = (block: number, rel: number, piece: Buffer, blockLength: number): void => {
    if (finished.has(block)) return;
    const state = stateOf(block);
    if (rel === state.at) {
      state.hash.update(piece);
      state.at += piece.length;
    } else if (rel > state.at && !state.held.has(rel)) {
      // A copy: the caller's buffer goes back to its pool.
      state.held.set(rel, Buffer.from(piece));
    }
    settle(block, state, blockLength);
  };
  /** Calls `fn` for each stretch of [offset, offset + bytes) inside one block. */
  const eachPiece = (offset: number, bytes: Buffer, fn: (block: number, rel: number, piece: Buffer, blockLength: number, first: boolean) => void): void => {
    for (let i = 0, pos = offset; i < bytes.length && pos < size; ) {
      const block = Math.floor(pos / blockSize);
      const blockStart = block * blockSize;
      const blockEnd = Math.min(size, blockStart + blockSize);
      const take = Math.min(bytes.length - i, blockEnd - pos);
      fn(block, pos - blockStart, bytes.subarray(i, i + take), blockEnd - blockStart, i === 0);
      i += take;
      pos += take;
    }
  };

  return {
    blockSize,
    offer: (offset, bytes) => eachPiece(offset, bytes, place),
    chunkMd5(offset, bytes) {
      const chunk = createHash('md5');
      eachPiece(offset, bytes, (block, rel, piece, blockLength, first) => {
        chunk.update(piece);
        const state = open.get(block);
        if (first && rel === 0 && !finished.has(block) && (state === undefined || state.at === 0)) {
          // The chunk starts this block: the block's hash is the chunk's so far.
          const shared = stateOf(block);
          shared.hash = chunk.copy();
          shared.at = piece.length;
          settle(block, shared, blockLength);
        } else place(block, rel, piece, blockLength);
      });
      return chunk.digest('base64');
    },
  };
}
