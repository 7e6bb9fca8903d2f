import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run mutate` runs only the test files named in FERRY_MUTATE_TESTS (set by stryker.config.mjs),
// so each mutant is judged by the tests that cover its file, not the whole (minutes-long) suite.
// The include list replaces the base one (mergeConfig would append to it and run everything).
const files = (process.env.FERRY_MUTATE_TESTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
if (files.length === 0) throw new Error('FERRY_MUTATE_TESTS is empty: name the vitest files that cover FERRY_MUTATE');

export default defineConfig({ ...base, test: { ...base.test, include: files } });
