/** The SQL of the Library's filters and orders, kept apart from the statements that use it. */
import type { LibrarySort } from '../../../src-shared/model/library.js';
import type { HistoryFilter } from './types.js';

/** History filter shared by the count and the page query; null parameters match everything. */
export const HISTORY_FILTER =
  '(@dest IS NULL OR destination = @dest) AND (@text IS NULL OR ferry_entry_matches(name, source_path, relative_path, @text) = 1) AND (@type IS NULL OR ferry_type_matches(mimetype, @type) = 1) AND (@folder IS NULL OR substr(relative_path, 1, length(@folder)) = @folder)' +
  ' AND (@since IS NULL OR finished_at >= @since) AND (@before IS NULL OR finished_at < @before) AND (@minSize IS NULL OR size >= @minSize) AND (@maxSize IS NULL OR size < @maxSize)';
export type SqlFilter = {
  dest: string | null;
  text: string | null;
  type: string | null;
  folder: string | null;
  since: number | null;
  before: number | null;
  minSize: number | null;
  maxSize: number | null;
};
export const sqlFilter = (q: HistoryFilter): SqlFilter => ({
  dest: q.destination ?? null,
  text: q.text ? q.text : null,
  type: q.type ?? null,
  folder: q.folder ? q.folder : null,
  since: q.since ?? null,
  before: q.before ?? null,
  minSize: q.minSize ?? null,
  maxSize: q.maxSize ?? null,
});

/** ORDER BY of each Library sort; every one ends on newest first, so equal keys page stably. */
export const HISTORY_ORDER: Record<LibrarySort, string> = {
  newest: 'finished_at DESC, id DESC',
  oldest: 'finished_at ASC, id ASC',
  largest: 'size DESC, finished_at DESC, id DESC',
  smallest: 'size ASC, finished_at DESC, id DESC',
  name: 'ferry_sort_name(name, source_path) ASC, finished_at DESC, id DESC',
};
