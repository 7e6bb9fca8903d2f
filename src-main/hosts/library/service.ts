import { appError, FerryError, toAppError } from '../../../src-shared/errors.js';
import type { LibraryItem, RequestOf, ResponseOf, SignedLink } from '../../../src-shared/ipc/channels.js';
import { entryName } from '../../engine/journal/history-name.js';
import type { HistoryFilter, UploadHistory, UploadHistoryEntry } from '../../engine/journal/types.js';
import type { Logger } from '../../engine/ports.js';
import { remove, signedUrl } from '../../providers/filestack/file-api.js';
import type { SignedLinkStore } from './links-store.js';
import type { FilestackTarget, LibraryTarget, TargetResolver } from './targets.js';
import { mimetypeOf, thumbnailUrl } from './thumbnails.js';

/** Default page size of `library:list`. */
export const DEFAULT_PAGE = 50;

/** The Library and signed-link operations behind the `library:*` and `links:*` channels. */
export type LibraryService = {
  list(req: RequestOf<'library:list'>): Promise<ResponseOf<'library:list'>>;
  /** Where these entries sit in the filtered order (see `library:place`). */
  place(req: RequestOf<'library:place'>): Promise<ResponseOf<'library:place'>>;
  /** The folder tree from stored paths, flattened A–Z; each count includes its subfolders. */
  folders(): ResponseOf<'library:folders'>['folders'];
  delete(id: string): Promise<void>;
  sign(req: RequestOf<'links:sign'>): Promise<SignedLink>;
  links(id?: string): SignedLink[];
};

export type LibraryServiceDeps = {
  /** The journal's history; null when the job store keeps none (the library is then empty). */
  readonly history: UploadHistory | null;
  readonly targets: TargetResolver;
  readonly links: SignedLinkStore;
  readonly logger: Logger;
  /** Epoch ms. */
  readonly now?: () => number;
};

const notFound = (id: string): FerryError => new FerryError(appError('not_found', `No file in the Library with id ${JSON.stringify(id)}.`));

/** Builds the service; every remote call goes through the destination's target. */
export function createLibraryService(deps: LibraryServiceDeps): LibraryService {
  const now = deps.now ?? Date.now;
  const entryOf = (id: string): UploadHistoryEntry => {
    const entry = deps.history?.get(id) ?? null;
    if (!entry) throw notFound(id);
    return entry;
  };
  const targetOf = async (entry: UploadHistoryEntry): Promise<LibraryTarget> => {
    const target = await deps.targets(entry.destination);
    if (!target) {
      throw new FerryError(appError('unsupported', `The ${entry.destination} destination is not configured (set its keys in Settings).`, { retryable: false }));
    }
    return target;
  };

  const toItems = async (entries: UploadHistoryEntry[]): Promise<LibraryItem[]> => {
    const history = deps.history;
    if (!history) return [];
    // The endpoint is only needed to place ImageKit's `tr:`; an unconfigured account falls back to `?tr=`.
    const ik = entries.some((e) => e.destination === 'imagekit') ? await deps.targets('imagekit').catch(() => null) : null;
    const endpoint = ik?.kind === 'imagekit' ? ik.urlEndpoint : undefined;
    const sourceName = (id: string): string | null => {
      const source = history.get(id);
      return source ? entryName(source) : null;
    };
    return entries.map((e) => toItem(e, endpoint, sourceName));
  };

  return {
    list: async (req) => {
      if (!deps.history) return { total: 0, items: [] };
      const history = deps.history;
      const page = history.query({ ...historyFilter(req), limit: req.limit ?? DEFAULT_PAGE, offset: req.offset ?? 0 });
      return { total: page.total, items: await toItems(page.entries) };
    },

    place: async (req) => {
      if (!deps.history) return { total: 0, placed: [] };
      const filter = historyFilter(req);
      const found = deps.history.positions(filter, req.ids).flatMap((p) => {
        const entry = deps.history?.get(p.jobId);
        return entry ? [{ index: p.index, entry }] : [];
      });
      // One count, as `library:list` gives it, so the window's "N files" follows too.
      const { total } = deps.history.query({ ...filter, limit: 0, offset: 0 });
      const items = await toItems(found.map((f) => f.entry));
      return { total, placed: found.map((f, i) => ({ index: f.index, item: items[i]! })) };
    },

    folders: () => {
      const totals = new Map<string, number>();
      for (const { folder, count } of deps.history?.folders() ?? []) {
        // `trip/day1/` counts for `trip/` too: choosing a folder shows everything inside it.
        const parts = folder.split('/').filter((p) => p !== '');
        for (let depth = 1; depth <= parts.length; depth++) {
          const path = `${parts.slice(0, depth).join('/')}/`;
          totals.set(path, (totals.get(path) ?? 0) + count);
        }
      }
      return [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, count]) => ({ path, count }));
    },

    delete: async (id) => {
      const entry = entryOf(id);
      const target = await targetOf(entry);
      try {
        if (target.kind === 'imagekit') await target.client.deleteFile(entry.remoteId);
        else await remove(fileApiConfig(target), entry.remoteId);
      } catch (thrown) {
        // Already gone remotely (deleted elsewhere): forgetting it locally is what the user wants.
        if (toAppError(thrown).code !== 'not_found') throw thrown;
        deps.logger.info('library: remote file was already gone', { id, destination: entry.destination });
      }
      // Every name this remote file was recorded under goes with it: their link is gone too.
      const sharing = deps.history?.sameFile(entry.destination, entry.remoteId) ?? [];
      for (const e of [entry, ...sharing.filter((s) => s.jobId !== id)]) {
        deps.history?.remove(e.jobId);
        await deps.links.removeItem(e.jobId);
      }
    },

    sign: async (req) => {
      const entry = entryOf(req.id);
      const target = await targetOf(entry);
      const nowSec = Math.floor(now() / 1000);
      const expiry = nowSec + req.ttlSeconds;
      let url: string;
      let calls: SignedLink['calls'] = [];
      if (target.kind === 'imagekit') {
        url = target.client.url({ src: entry.url, expiresIn: req.ttlSeconds, now: nowSec });
        if (url === '') throw new FerryError(appError('internal', 'Could not build the signed ImageKit URL.'));
      } else {
        if (!target.secret) {
          throw new FerryError(appError('unsupported', 'Signing Filestack links needs the app secret (set it in Settings).', { retryable: false }));
        }
        calls = req.calls ?? ['read'];
        url = signedUrl({ cdnBase: target.cdnBase, secret: target.secret }, entry.remoteId, { expiry, calls });
      }
      return deps.links.add({ itemId: entry.jobId, url, calls, ttlSeconds: req.ttlSeconds, createdAt: now(), expiresAt: expiry * 1000 });
    },

    links: (id) => deps.links.list(id),
  };
}

/** The journal's filter for a `library:list` / `library:place` request (absent fields match everything). */
function historyFilter(req: Omit<RequestOf<'library:list'>, 'limit' | 'offset'>): HistoryFilter {
  return {
    ...(req.query ? { text: req.query } : {}),
    ...(req.destination ? { destination: req.destination } : {}),
    ...(req.type ? { type: req.type } : {}),
    ...(req.sort ? { sort: req.sort } : {}),
    ...(req.folder ? { folder: req.folder } : {}),
    ...(req.since !== undefined ? { since: req.since } : {}),
    ...(req.before !== undefined ? { before: req.before } : {}),
    ...(req.minSize !== undefined ? { minSize: req.minSize } : {}),
    ...(req.maxSize !== undefined ? { maxSize: req.maxSize } : {}),
  };
}

function fileApiConfig(t: FilestackTarget) {
  return { apikey: t.apikey, cdnBase: t.cdnBase, fileApiBase: t.fileApiBase, ...(t.secret ? { secret: t.secret } : {}) };
}

function toItem(e: UploadHistoryEntry, imagekitEndpoint: string | undefined, sourceName: (id: string) => string | null): LibraryItem {
  const name = entryName(e);
  const mimetype = e.mimetype ?? mimetypeOf(name);
  return {
    id: e.jobId,
    name,
    destination: e.destination,
    url: e.url,
    remoteId: e.remoteId,
    size: e.size,
    ...(mimetype ? { mimetype } : {}),
    finishedAt: e.finishedAt,
    thumbnailUrl: thumbnailUrl(e, mimetype, imagekitEndpoint),
    relativePath: e.relativePath ?? null,
    madeFrom: e.origin && e.sourceId ? { kind: e.origin, id: e.sourceId, name: sourceName(e.sourceId) } : null,
  };
}
