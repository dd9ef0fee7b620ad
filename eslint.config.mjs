import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'child_process',
  'dgram',
  'dns',
  'tls',
  'cluster',
  'worker_threads',
];
const nodeIo = NODE_IO.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The pure cores: no Node I/O, no Nest, no adapters. They turn data into data.
    files: ['libs/contracts/src/**/*.ts', 'libs/ffmpeg/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeIo.map((name) => ({
            name,
            message: 'pure library: no Node I/O here; do it in an app or an adapter',
          })),
          patterns: [
            { group: ['@nestjs/*'], message: 'pure library: no Nest here' },
            {
              group: ['minio', '@kubernetes/*', 'execa', 'pino'],
              message: 'pure library: no adapters here',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'pure library: take values as arguments' },
        'fetch',
      ],
    },
  },
);
