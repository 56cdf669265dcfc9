// Flat config: type-aware typescript-eslint over every workspace, Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';

/** Only these packages may import a given boundary library (ARCHITECTURE.md: one package per boundary). */
const boundaryOwners = {
  kafkajs: 'packages/kafka/**',
  undici: 'packages/http/**',
};

function restrictedImports(except) {
  return Object.entries(boundaryOwners)
    .filter(([name]) => name !== except)
    .map(([name, owner]) => ({
      name,
      message: `only ${owner.replace('/**', '')} may import ${name}`,
    }));
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'infra/.cache/**',
      'infra/.state/**',
      '.tools/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', 'vitest.config.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Handlers are async by contract even where one path does not await.
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': 'error',
      'no-restricted-imports': ['error', { paths: restrictedImports() }],
    },
  },
  ...Object.entries(boundaryOwners).map(([name, owner]) => ({
    files: [owner],
    rules: { 'no-restricted-imports': ['error', { paths: restrictedImports(name) }] },
  })),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
