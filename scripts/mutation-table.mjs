// Prints the README's mutation table (per folder and per file) from one or more Stryker JSON
// reports, so a folder-wide figure can be put together from runs made folder by folder:
//   node scripts/mutation-table.mjs reports/mutation/shared-core.json reports/mutation/engine-core.json
//   node scripts/mutation-table.mjs --merge reports/merged.json a.json b.json
// `npm run mutate:all` calls it with every chunk's report. --merge also writes the union of the
// reports (usable as FERRY_MUTATE_CACHE for one run over the merged scope).
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const mergeAt = args.indexOf('--merge');
const mergeTo = mergeAt >= 0 ? args.splice(mergeAt, 2)[1] : undefined;
if (args.length === 0) throw new Error('usage: mutation-table.mjs [--merge out.json] report.json...');

const reports = args.map((file) => JSON.parse(readFileSync(file, 'utf8')));
/** Later reports win for a file measured twice (a rerun after new tests). */
const files = Object.assign({}, ...reports.map((r) => r.files));

if (mergeTo) {
  const testFiles = Object.assign({}, ...reports.map((r) => r.testFiles ?? {}));
  writeFileSync(mergeTo, JSON.stringify({ ...reports[0], files, testFiles }));
}

const KEYS = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError'];
const empty = () => Object.fromEntries(KEYS.map((k) => [k, 0]));
const add = (into, counts) => KEYS.forEach((k) => (into[k] += counts[k]));

const perFile = Object.entries(files)
  .map(([name, f]) => {
    const c = empty();
    for (const m of f.mutants) c[m.status] = (c[m.status] ?? 0) + 1;
    return [name, c];
  })
  .sort(([a], [b]) => a.localeCompare(b));

// Score as Stryker prints it: detected over valid mutants (ignored and errors left out);
// "covered" also leaves out the mutants no test reaches.
const pct = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
const row = (label, c, bold = false) => {
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  const score = pct(detected, valid);
  const b = (s) => (bold ? `**${s}**` : s);
  return `| ${b(label)} | ${b(score)} | ${pct(detected, valid - c.NoCoverage)} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} |`;
};

/** The goal's folders: src-shared/ (with its sub-folders) and src-main/engine/ (journal/ inside). */
const topOf = (name) => (name.startsWith('src-main/') ? name.split('/').slice(0, 2).join('/') + '/' : name.split('/')[0] + '/');
const folders = new Map();
const total = empty();
for (const [name, c] of perFile) {
  const top = topOf(name);
  const rest = name.slice(top.length);
  const sub = rest.includes('/') ? rest.slice(0, rest.lastIndexOf('/') + 1) : '';
  if (!folders.has(top)) folders.set(top, { counts: empty(), subs: new Map() });
  const folder = folders.get(top);
  if (!folder.subs.has(sub)) folder.subs.set(sub, { counts: empty(), rows: [] });
  const group = folder.subs.get(sub);
  add(folder.counts, c);
  add(group.counts, c);
  add(total, c);
  group.rows.push(row(` ${rest}`, c));
}

const lines = [
  '| Folder / file | Score | Covered | Killed | Timeout | Survived | No coverage | Static (ignored) |',
  '|---|---|---|---|---|---|---|---|',
  row('all', total, true),
];
for (const [name, folder] of folders) {
  lines.push(row(name, folder.counts, true));
  // Files at the folder's top first, then each sub-folder with its own subtotal.
  const subs = [...folder.subs].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
  for (const [sub, group] of subs) {
    if (sub !== '') lines.push(row(`${name}${sub}`, group.counts));
    lines.push(...group.rows);
  }
}
console.log(lines.join('\n'));
