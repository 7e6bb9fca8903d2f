// Mutation testing (`npm run mutate`): how many deliberate bugs in the pure core the unit tests catch.
// Kept out of `npm test` because every mutant is a test run. A run is scoped:
//   (nothing)                    the quick default below: ten pure files, their own unit tests
//   FERRY_MUTATE=src-main/engine/progress.ts,src-shared/filestack/*.ts   files or globs
//   FERRY_MUTATE_TESTS=test/engine/progress.test.ts,...                  the vitest files that judge them
// `npm run mutate:all` (scripts/mutate-all.mjs) measures all of src-shared/ and src-main/engine/
// through these variables, folder by folder. Runs are incremental: a rerun only retests mutants
// whose file or tests changed (reports/stryker-incremental.json unless FERRY_MUTATE_CACHE says).

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

const list = (value) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

const scope = process.env.FERRY_MUTATE?.trim() || undefined;
const mutate = list(scope) ?? DEFAULT_MUTATE;

// vitest picks its files from the same variable (vitest.mutate.config.ts), so Stryker and vitest
// agree; a scoped run must name its tests (vitest.mutate.config.ts refuses an empty list).
if (!scope) process.env.FERRY_MUTATE_TESTS ??= DEFAULT_TESTS.join(',');

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
  // module graph. Scoped runs leave them out and the README counts them separately, unless
  // FERRY_MUTATE_STATIC=1 (a chunk whose tests are few and fast, like the model's schemas).
  ignoreStatic: scope !== undefined && process.env.FERRY_MUTATE_STATIC !== '1',
  checkers: [],
  incremental: true,
  // FERRY_MUTATE_CACHE / FERRY_MUTATE_REPORT: scripts/mutate-all.mjs gives each chunk its own.
  incrementalFile: process.env.FERRY_MUTATE_CACHE ?? 'reports/stryker-incremental.json',
  // clear-text prints the score per folder and file; json keeps it for the README table.
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: process.env.FERRY_MUTATE_REPORT ?? 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Stryker copies the sandbox; node_modules is symlinked rather than copied.
  ignorePatterns: ['.stryker-tmp*', 'dist', 'release', 'test-results', 'playwright-report', 'reports', '.ferry-data', 'bench', 'assets'],
  thresholds: { high: 80, low: 60, break: null },
};
