// `npm run mutate:all`: the goal's scope, every file of src-shared/ and src-main/engine/, measured
// folder by folder. One Stryker run over both folders would judge each mutant by every test that
// touches it (errors.ts is reached by hundreds), hours on 2 shared cores; a chunk here is judged by
// the tests written for its files (grep test/ for their imports), each with its own incremental
// cache, so a rerun after new tests only retests what changed. The table at the end is the README's.
//   npm run mutate:all                       every chunk, one after another
//   npm run mutate:all -- --only shared-imagekit,engine-core
//   npm run mutate:all -- --table            only print the table from the last reports
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ENGINE_UNIT = [
  'test/engine/classify.test.ts',
  'test/engine/content-key.test.ts',
  'test/engine/content-key-stream.test.ts',
  'test/engine/name-sanitize.test.ts',
  'test/engine/progress.test.ts',
  'test/engine/retry.test.ts',
  'test/engine/scheduler.test.ts',
  'test/engine/settings-store.test.ts',
  'test/engine/transition.test.ts',
];

/** The engine tests that upload to the local cloud in seconds (engine-control.test.ts takes longer). */
const ENGINE_RUN_TESTS = ['test/engine/engine.test.ts', 'test/engine/engine-queue.test.ts', 'test/engine/trouble.test.ts'];

const PURE_ENGINE = ['classify', 'content-key', 'name-sanitize', 'progress', 'retry', 'scheduler', 'transition'];

/** Files to mutate and the vitest files that judge them (globs; FERRY_MUTATE is comma-separated, so no {a,b}). */
const CHUNKS = {
  'shared-core': {
    mutate: ['src-shared/*.ts', 'src-shared/ipc/*.ts'],
    tests: [
      'test/shared/core.test.ts',
      'test/shared/links.test.ts',
      'test/shared/activity.test.ts',
      'test/shared/thumbnails.test.ts',
      'test/shared/ipc-rules.test.ts',
      'test/shared/queue-groups.test.ts',
      'test/shared/renderer-format.test.ts',
      'test/engine/classify.test.ts',
      'test/engine/transition.test.ts',
      'test/engine/retry.test.ts',
      'test/engine/trouble.test.ts',
      'test/engine/settings-store.test.ts',
      'test/hosts/link-actions.test.ts',
      'test/hosts/library-sort.test.ts',
    ],
  },
  // The model is mostly zod schemas and default tables: module-level (static) code. Its own tests
  // are few and fast, so this chunk runs its static mutants too (each against all three files)
  // instead of leaving them out.
  'shared-model': {
    mutate: ['src-shared/model/*.ts'],
    tests: ['test/shared/model-rules.test.ts', 'test/shared/transfer-defaults.test.ts', 'test/hosts/link-actions.test.ts'],
    static: true,
  },
  'shared-filestack': {
    mutate: ['src-shared/filestack/*.ts'],
    tests: ['test/shared/filestack-*.test.ts', 'test/hosts/studio-steps.test.ts'],
  },
  'shared-imagekit': {
    mutate: ['src-shared/imagekit/*.ts'],
    tests: ['test/shared/imagekit-*.test.ts', 'test/hosts/studio-steps.test.ts', 'test/providers/imagekit-signing.test.ts'],
  },
  // The pure engine files: each mutant runs milliseconds of unit tests.
  'engine-core': {
    mutate: PURE_ENGINE.map((name) => `src-main/engine/${name}.ts`),
    tests: [...ENGINE_UNIT, 'test/engine/trouble.test.ts', 'test/hosts/link-actions.test.ts'],
  },
  // The rest around the engine (intake, done records, settings, path expansion), judged also by
  // engine.test.ts, which uploads to the local cloud.
  'engine-services': {
    mutate: ['src-main/engine/*.ts', ...[...PURE_ENGINE, 'engine', 'attempt'].map((name) => `!src-main/engine/${name}.ts`)],
    tests: ['test/engine/engine.test.ts', 'test/engine/engine-control.test.ts', 'test/engine/expand-paths.test.ts', 'test/engine/settle-watch.test.ts', 'test/engine/file-system.test.ts', 'test/engine/done-record.test.ts', 'test/engine/handlers.test.ts', 'test/engine/settings-store.test.ts', 'test/hosts/symlink-escape.test.ts', 'test/hosts/electron-settings.test.ts', 'test/hosts/link-actions.test.ts'],
  },
  'engine-journal': {
    mutate: ['src-main/engine/journal/*.ts'],
    tests: ['test/engine/journal.test.ts', 'test/engine/journal-history.test.ts', 'test/engine/journal-parity.test.ts', 'test/engine/journal-recovery.test.ts', 'test/hosts/library-sort.test.ts', 'test/hosts/electron-sqlite.test.ts'],
  },
  // The engine itself, judged by uploads to the local cloud over loopback, by the fast engine
  // tests only (about 2.5 s): with engine-control.test.ts (7.5 s: resume, dedupe, move) these
  // runs take well over an hour on the shared 2 cores, so its kills are not counted (a lower
  // bound). attempt.ts alone runs in about 20 minutes; engine.ts's mutants often hang the
  // engine (a queue that never drains), each costing Stryker's timeout and a fresh test runner:
  // `engine-run` takes about 18 minutes with FERRY_MUTATE_CONCURRENCY=2 on a quiet machine, over
  // an hour while other work shares the cores.
  'engine-attempt': {
    mutate: ['src-main/engine/attempt.ts'],
    tests: ENGINE_RUN_TESTS,
  },
  'engine-run': {
    mutate: ['src-main/engine/engine.ts'],
    tests: ENGINE_RUN_TESTS,
  },
};

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : Object.keys(CHUNKS);
const report = (name) => `reports/mutation/${name}.json`;

if (!args.includes('--table')) {
  for (const name of only) {
    const chunk = CHUNKS[name];
    if (!chunk) throw new Error(`No chunk ${name}; chunks: ${Object.keys(CHUNKS).join(', ')}`);
    console.log(`\n=== ${name}: ${chunk.mutate.join(' ')}`);
    const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', '--tempDirName', `.stryker-tmp-${name}`], {
      stdio: 'inherit',
      env: {
        ...process.env,
        FERRY_MUTATE: chunk.mutate.join(','),
        FERRY_MUTATE_TESTS: chunk.tests.join(','),
        FERRY_MUTATE_CACHE: `reports/stryker-incremental-${name}.json`,
        FERRY_MUTATE_REPORT: report(name),
        ...(chunk.static ? { FERRY_MUTATE_STATIC: '1' } : {}),
      },
    });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}

const reports = Object.keys(CHUNKS).map(report).filter((file) => existsSync(file));
spawnSync('node', ['scripts/mutation-table.mjs', ...reports], { stdio: 'inherit' });
