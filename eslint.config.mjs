// ESLint (flat config) with typescript-eslint. Kept to rules that catch real bugs or guard the
// architecture, so that `npm run lint` stays fast (it caches: .eslintcache):
//   - promises are awaited, returned or explicitly `void`ed (no-floating-promises, typed);
//   - src/core and src/cli never import `vscode` or src/vscode (the core runs in the CLI and tests).
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-output/**', '.try/**', 'bench/activation/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test's test() / describe() return promises the runner itself awaits.
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      'import-x/no-restricted-paths': ['error', {
        zones: [
          { target: './src/core', from: './src/vscode', message: 'src/core runs without VS Code (CLI, tests): adapt it in src/vscode instead.' },
          { target: './src/core', from: './src/cli', message: 'src/core does not depend on the CLI.' },
          { target: './src/cli', from: './src/vscode', message: 'the CLI runs without VS Code.' },
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/cli run without VS Code.' }] }],
    },
  },
);
