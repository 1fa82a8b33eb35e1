/**
 * `npm run test:redis`: the e2e specs in test/redis/, which need a Redis server at
 * 127.0.0.1:6379 besides the e2e project's PostgreSQL.
 */
const base = require('./jest.config');

const e2e = base.projects.find((p) => p.displayName === 'e2e');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: base.testTimeout,
  projects: [
    {
      ...e2e,
      displayName: 'redis',
      testMatch: ['<rootDir>/test/redis/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
    },
  ],
};
