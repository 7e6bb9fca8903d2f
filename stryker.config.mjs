// Mutation testing (`npm run mutate`): how many deliberate bugs in the pure core the unit tests catch.
// Kept out of `npm test` because every mutant is a test run. A run is scoped:
//   (nothing)                    the quick default below: ten pure files, their own unit tests
//   FERRY_MUTATE=all             the goal's scope: every file of src-shared/ and src-main/engine/,
//                                judged by ALL_TESTS (the README's per-folder table)
//   FERRY_MUTATE=src-main/engine/progress.ts,src-shared/filestack/*.ts   files or globs
//   FERRY_MUTATE_TESTS=test/engine/progress.test.ts,...                  the vitest files to run
// A scoped run without FERRY_MUTATE_TESTS uses ALL_TESTS: with per-test coverage each mutant runs
// only the tests that reach it, so the longer list costs the initial run, not every mutant.
// Runs are incremental: a rerun only retests mutants whose file or tests changed
// (reports/stryker-incremental.json; the folder-wide run keeps its own, FERRY_MUTATE_CACHE names another).

/** The pure core measured by default: no I/O, so a mutant's test run takes milliseconds. */
const DEFAULT_MUTATE = [
  'src-shared/errors.ts',
  'src-shared/links.ts',
  'src-shared/job-links.ts',
  'src-shared/units.ts',
  'src-shared/format-bytes.ts',
  'src-shared/ipc/dispatch.ts',
  'src-main/engine/transition.ts',
  'src-main/engine/retry.ts',
  'src-main/engine/classify.ts',
  'src-main/engine/name-sanitize.ts',
];

const DEFAULT_TESTS = [
  'test/shared/core.test.ts',
  'test/shared/links.test.ts',
  'test/engine/classify.test.ts',
  'test/engine/transition.test.ts',
  'test/engine/retry.test.ts',
  'test/engine/trouble.test.ts',
  'test/engine/name-sanitize.test.ts',
  'test/shared/queue-groups.test.ts',
  'test/hosts/link-actions.test.ts',
];

/** Both folders of the goal, whole. */
const ALL_MUTATE = ['src-shared/**/*.ts', 'src-main/engine/**/*.ts'];

/**
 * The tests that reach src-shared/ and src-main/engine/ (grep test/ for their imports), minus the
 * ones that test a test helper (fault-proxy) or kill child processes (journal-kill, whose children
 * never see the mutant). The engine tests drive the engine over the local cloud on loopback, so
 * engine.ts and attempt.ts are judged by real uploads.
 */
const ALL_TESTS = [
  'test/shared/*.test.ts',
  'test/engine/classify.test.ts',
  'test/engine/content-key-stream.test.ts',
  'test/engine/engine-control.test.ts',
  'test/engine/engine.test.ts',
  'test/engine/journal-history.test.ts',
  'test/engine/journal-recovery.test.ts',
  'test/engine/journal.test.ts',
  'test/engine/name-sanitize.test.ts',
  'test/engine/progress.test.ts',
  'test/engine/retry.test.ts',
  'test/engine/scheduler.test.ts',
  'test/engine/settings-store.test.ts',
  'test/engine/transition.test.ts',
  'test/engine/trouble.test.ts',
  'test/hosts/link-actions.test.ts',
  'test/hosts/studio-steps.test.ts',
  'test/hosts/library-sort.test.ts',
  'test/hosts/contract-fuzz.test.ts',
  'test/hosts/electron-settings.test.ts',
  'test/hosts/symlink-escape.test.ts',
  'test/providers/imagekit-signing.test.ts',
];

const list = (value) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

const scope = process.env.FERRY_MUTATE?.trim();
const all = scope === 'all';
const mutate = all ? ALL_MUTATE : (list(scope) ?? DEFAULT_MUTATE);

// vitest picks its files from the same variable (vitest.mutate.config.ts), so Stryker and vitest agree.
process.env.FERRY_MUTATE_TESTS ??= (scope ? ALL_TESTS : DEFAULT_TESTS).join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate,
  // The machine is shared (2 cores): one mutant at a time unless FERRY_MUTATE_CONCURRENCY says more.
  concurrency: Number(process.env.FERRY_MUTATE_CONCURRENCY ?? 1),
  coverageAnalysis: 'perTest',
  // A static mutant (module-level code: zod schemas, constant tables) is reached before any test
  // starts, so per-test coverage cannot narrow it and it would rerun every test file with a fresh
  // module graph. Scoped runs leave them out and the README counts them separately.
  ignoreStatic: scope !== undefined && scope !== '',
  checkers: [],
  incremental: true,
  // FERRY_MUTATE_CACHE lets a folder-by-folder run grow into the folder-wide one on one cache.
  incrementalFile: process.env.FERRY_MUTATE_CACHE ?? (all ? 'reports/stryker-incremental-all.json' : 'reports/stryker-incremental.json'),
  // clear-text prints the score per folder and file; json keeps it for the README table.
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: process.env.FERRY_MUTATE_REPORT ?? (all ? 'reports/mutation/mutation-all.json' : 'reports/mutation/mutation.json') },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Stryker copies the sandbox; node_modules is symlinked rather than copied.
  ignorePatterns: ['.stryker-tmp*', 'dist', 'release', 'test-results', 'playwright-report', 'reports', '.ferry-data', 'bench', 'assets'],
  thresholds: { high: 80, low: 60, break: null },
};
