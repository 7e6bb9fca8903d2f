// Mutation testing (`npm run mutate`): how many deliberate bugs in the pure core the unit tests catch.
// Kept out of `npm test` because every mutant is a test run: the whole of src-shared/ alone is
// thousands of mutants, hours on a 2-core machine. So a run is scoped:
//   FERRY_MUTATE=src-shared/errors.ts,src-main/engine/retry.ts   files to mutate (comma-separated globs)
//   FERRY_MUTATE_TESTS=test/engine/retry.test.ts,...             the vitest files that cover them
// Without them the default scope below is measured (the README's table). Runs are incremental: a
// rerun only retests mutants whose file or tests changed (reports/stryker-incremental.json).

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

const list = (value) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

// vitest picks its files from the same variable (vitest.mutate.config.ts), so Stryker and vitest agree.
process.env.FERRY_MUTATE_TESTS ??= [
  'test/shared/core.test.ts',
  'test/shared/links.test.ts',
  'test/engine/classify.test.ts',
  'test/engine/transition.test.ts',
  'test/engine/retry.test.ts',
  'test/engine/trouble.test.ts',
  'test/engine/name-sanitize.test.ts',
  'test/shared/queue-groups.test.ts',
  'test/hosts/link-actions.test.ts',
].join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate: list(process.env.FERRY_MUTATE) ?? DEFAULT_MUTATE,
  // The machine is shared (2 cores): one mutant at a time.
  concurrency: 1,
  coverageAnalysis: 'perTest',
  checkers: [],
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // clear-text prints the score per folder and file; json keeps it for the README table.
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Stryker copies the sandbox; node_modules is symlinked rather than copied.
  ignorePatterns: ['dist', 'release', 'test-results', 'playwright-report', 'reports', '.ferry-data', 'bench', 'assets'],
  thresholds: { high: 80, low: 60, break: null },
};
