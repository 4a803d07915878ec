import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/vendor/**', '**/.wrangler/**', '**/.runnel/**', '**/.assets/**', 'coverage/**', '**/test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly',
        URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', crypto: 'readonly',
        performance: 'readonly', AbortController: 'readonly', fetch: 'readonly', queueMicrotask: 'readonly',
        WebSocket: 'readonly', structuredClone: 'readonly', document: 'readonly', window: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a union of string literals (erasable syntax only).' },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' }, { object: 'it', property: 'skip' }, { object: 'it', property: 'todo' },
        { object: 'test', property: 'only' }, { object: 'test', property: 'skip' }, { object: 'test', property: 'todo' },
        { object: 'describe', property: 'only' }, { object: 'describe', property: 'skip' },
      ],
    },
  },
);
