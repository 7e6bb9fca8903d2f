import { describe, expect, it } from 'vitest';
import type { LibraryItem } from '../../src-shared/ipc/channels.js';
import { ancestorsOf, buildFolderTree, parentPath, visibleFolders } from '../../src-renderer/lib/folder-tree.js';
import { placeEntries } from '../../src-renderer/lib/library-place.js';

/** The Library's folder tree from `library:folders`' flat list, and new entries placed into what is loaded. */

const item = (id: string): LibraryItem => ({
  id,
  name: `${id}.txt`,
  destination: 'local',
  url: `http://x/${id}`,
  remoteId: id,
  size: 1,
  finishedAt: 0,
  thumbnailUrl: null,
  relativePath: null,
  madeFrom: null,
});
const ids = (items: readonly LibraryItem[]) => items.map((i) => i.id);

describe('placeEntries', () => {
  const loaded = ['a', 'b', 'c', 'd'].map(item);

  it('inserts at the host index, ascending, so each index counts those placed before it', () => {
    // New order: n0 a b n3 c d …; handed over in any order.
    expect(ids(placeEntries(loaded, [{ index: 3, item: item('n3') }, { index: 0, item: item('n0') }]))).toEqual(['n0', 'a', 'b', 'n3', 'c', 'd']);
  });

  it('appends at the end of what is loaded and leaves later ones for the next page', () => {
    expect(ids(placeEntries(loaded, [{ index: 4, item: item('n4') }, { index: 9, item: item('far') }]))).toEqual(['a', 'b', 'c', 'd', 'n4']);
  });

  it('moves an entry already listed instead of listing it twice', () => {
    expect(ids(placeEntries(loaded, [{ index: 0, item: item('c') }]))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('does not change the array it was given', () => {
    placeEntries(loaded, [{ index: 0, item: item('n') }]);
    expect(ids(loaded)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('folder tree', () => {
  const flat = [
    { path: 'work/', count: 1 },
    { path: 'trip/', count: 3 },
    { path: 'trip/day2/', count: 1 },
    { path: 'trip/day1/', count: 2 },
    { path: 'trip/day1/am/', count: 1 },
    // Parent missing from the list: shown at the top level rather than lost.
    { path: 'orphan/inner/', count: 4 },
  ];

  it('nests by path, A–Z, with names and counts', () => {
    const roots = buildFolderTree(flat);
    expect(roots.map((n) => [n.name, n.count])).toEqual([
      ['inner', 4],
      ['trip', 3],
      ['work', 1],
    ]);
    const trip = roots[1]!;
    expect(trip.children.map((n) => n.path)).toEqual(['trip/day1/', 'trip/day2/']);
    expect(trip.children[0]!.children.map((n) => n.name)).toEqual(['am']);
  });

  it('lists only children of expanded folders, with level, position and parent', () => {
    const roots = buildFolderTree(flat);
    expect(visibleFolders(roots, new Set()).map((v) => v.node.path)).toEqual(['orphan/inner/', 'trip/', 'work/']);
    const open = visibleFolders(roots, new Set(['trip/', 'trip/day1/']));
    expect(open.map((v) => [v.node.path, v.level, v.posinset, v.setsize, v.parent])).toEqual([
      ['orphan/inner/', 1, 1, 3, null],
      ['trip/', 1, 2, 3, null],
      ['trip/day1/', 2, 1, 2, 'trip/'],
      ['trip/day1/am/', 3, 1, 1, 'trip/day1/'],
      ['trip/day2/', 2, 2, 2, 'trip/'],
      ['work/', 1, 3, 3, null],
    ]);
  });

  it('knows parents and ancestors', () => {
    expect(parentPath('trip/day1/')).toBe('trip/');
    expect(parentPath('trip/')).toBeNull();
    expect(ancestorsOf('a/b/c/')).toEqual(['a/', 'a/b/']);
    expect(ancestorsOf('')).toEqual([]);
  });
});
