/**
 * Two projects: unit specs beside the code, HTTP e2e specs in test/ against a real PostgreSQL.
 * test/redis/ needs a Redis server too and runs only with `npm run test:redis`.
 */

// A few dependencies ship ESM only; Jest on Node 20 cannot require them, so they are compiled too.
const ESM_PACKAGES = [
  'content-disposition',
  '@scure',
  '@noble',
  'otplib',
  '@otplib',
  'sql-template-tag',
  'graphile-worker',
];

const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  '^.+\\.m?js$': [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false },
  ],
};

const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/config/**/*.spec.ts',
        // Repository files checked without a server (the container files).
        '<rootDir>/test/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Need a Redis server: `npm run test:redis` (jest.redis.config.js).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/redis/'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
      slowTestThreshold: 30,
    },
  ],
};
