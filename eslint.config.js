import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'site/**',
      'node_modules/**',
      'examples/**/build/**',
      'examples/**/.next/**',
      'examples/**/.svelte-kit/**',
      '.stryker-tmp/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // The core is runtime-agnostic: no Node built-ins.
      'no-restricted-imports': [
        'error',
        { paths: ['fs', 'crypto', 'http', 'https', 'path'], patterns: ['node:*'] },
      ],
    },
  },
  {
    files: ['bench/**', 'examples/**', 'test/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'stryker.config.mjs'],
    languageOptions: { globals: { URL: 'readonly', console: 'readonly', process: 'readonly' } },
  },
)
