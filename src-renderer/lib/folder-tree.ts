/** One folder of the Library's tree, as the tree component shows it. */
export type FolderNode = {
  /** `trip/day1/` (the `library:list` folder filter). */
  readonly path: string;
  /** The last segment: `day1`. */
  readonly name: string;
  /** Entries inside it, at any depth. */
  readonly count: number;
  readonly children: FolderNode[];
};

/** A node as it is listed now (parents expanded), with what the WAI-ARIA tree pattern needs. */
export type VisibleFolder = {
  readonly node: FolderNode;
  /** 1 for the top level. */
  readonly level: number;
  /** Position among its siblings (1-based) and how many siblings there are. */
  readonly posinset: number;
  readonly setsize: number;
  /** The parent's path, or null at the top level. */
  readonly parent: string | null;
};

/** The parent path of `trip/day1/` is `trip/`; of `trip/` it is null. */
export function parentPath(path: string): string | null {
  const cut = path.slice(0, -1).lastIndexOf('/');
  return cut < 0 ? null : path.slice(0, cut + 1);
}

/**
 * Builds the tree from `library:folders`' flat list (every folder, parents included, A–Z). A
 * folder whose parent is missing from the list hangs at the top level rather than vanishing.
 */
export function buildFolderTree(folders: readonly { path: string; count: number }[]): FolderNode[] {
  const byPath = new Map<string, FolderNode>();
  const roots: FolderNode[] = [];
  for (const f of [...folders].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const node: FolderNode = { path: f.path, name: f.path.slice(0, -1).split('/').at(-1) ?? f.path, count: f.count, children: [] };
    byPath.set(f.path, node);
    const parent = parentPath(f.path);
    const into = parent === null ? undefined : byPath.get(parent);
    (into ? into.children : roots).push(node);
  }
  return roots;
}

/** The nodes shown, top to bottom: children only under an expanded parent. */
export function visibleFolders(roots: readonly FolderNode[], expanded: ReadonlySet<string>): VisibleFolder[] {
  const out: VisibleFolder[] = [];
  const walk = (nodes: readonly FolderNode[], level: number, parent: string | null): void => {
    nodes.forEach((node, i) => {
      out.push({ node, level, posinset: i + 1, setsize: nodes.length, parent });
      if (node.children.length > 0 && expanded.has(node.path)) walk(node.children, level + 1, node.path);
    });
  };
  walk(roots, 1, null);
  return out;
}

/** Every ancestor of `path` (`a/` and `a/b/` for `a/b/c/`), so a chosen folder can be shown expanded. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let p = parentPath(path); p !== null; p = parentPath(p)) out.unshift(p);
  return out;
}
