// Lint gates from DESIGN.md: no floating promises, layer boundaries enforced by import rules.
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import svelteConfig from './svelte.config.js';

const electronOnlyInHost = {
  paths: [{ name: 'electron', message: 'Only src-main/hosts/electron may import electron.' }],
};
const nodeBuiltins = { group: ['node:*'], message: 'This layer must not use Node built-ins.' };

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**', '.stryker-tmp*/**', 'reports/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.ts', '**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', electronOnlyInHost],
    },
  },
  {
    files: ['src-main/hosts/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Server and client share protocol code, not each other (DESIGN.md §1).
    files: ['src-main/localcloud/**/*.ts', 'src-main/protocol/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { ...electronOnlyInHost, patterns: [{ group: ['**/providers/**'], message: 'The local cloud and the protocol layer must not import the clients (providers/); shared code lives in src-main/protocol/.' }] }] },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { ...electronOnlyInHost, patterns: [nodeBuiltins] }] },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: { 'no-restricted-imports': ['error', { ...electronOnlyInHost, patterns: [nodeBuiltins, { group: ['**/src-main/**'], message: 'The renderer talks to the host only through lib/api.ts.' }] }] },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
