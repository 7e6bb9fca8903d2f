import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { signedLinkSchema, type SignedLink } from '../../../src-shared/ipc/channels.js';
import type { Logger } from '../../engine/ports.js';

/** Links older than this past their expiry are dropped on the next write (keeps the file small). */
const KEEP_EXPIRED_MS = 30 * 24 * 3600 * 1000;
const fileSchema = z.object({ version: z.literal(1), links: z.array(signedLinkSchema) });

/** Signed links made so far, persisted as one small JSON file. */
export interface SignedLinkStore {
  /** Newest first; one item's links when `itemId` is given. */
  list(itemId?: string): SignedLink[];
  add(link: Omit<SignedLink, 'id'>): Promise<SignedLink>;
  /** Drops every link of an item (its file was deleted). */
  removeItem(itemId: string): Promise<void>;
}

/**
 * Opens the store at `file`. A missing or unreadable file starts empty (logged): losing the list
 * of links only hides their countdowns, the links themselves keep working until they expire.
 * Writes are serialised and atomic (temp + rename).
 */
export async function openSignedLinkStore(file: string, opts: { logger: Logger; now?: () => number }): Promise<SignedLinkStore> {
  const now = opts.now ?? Date.now;
  let links: SignedLink[] = await load(file, opts.logger);
  let writing: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const cutoff = now() - KEEP_EXPIRED_MS;
    links = links.filter((l) => l.expiresAt > cutoff);
    const text = JSON.stringify({ version: 1, links });
    // A failed earlier write must not poison the chain: each write carries the whole list.
    writing = writing.catch(() => {}).then(async () => {
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, file);
    });
    return writing;
  };
  return {
    list: (itemId) => links.filter((l) => itemId === undefined || l.itemId === itemId).sort((a, b) => b.createdAt - a.createdAt),
    add: async (fields) => {
      const link: SignedLink = { ...fields, id: randomBytes(8).toString('hex') };
      links.push(link);
      await save();
      return link;
    },
    removeItem: async (itemId) => {
      links = links.filter((l) => l.itemId !== itemId);
      await save();
    },
  };
}

async function load(file: string, logger: Logger): Promise<SignedLink[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.links;
  } catch {
    // falls through to the warning
  }
  logger.warn('signed links: unreadable list ignored', { file });
  return [];
}
