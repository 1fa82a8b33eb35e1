/**
 * `npm run test:browser`: the reference web UI driven in Debian's Chromium (/usr/bin/chromium)
 * by playwright-core, against the service started in-process on the e2e project's PostgreSQL.
 * Screenshots of each step go to test-results/screenshots/.
 */
const base = require('./jest.config');

const e2e = base.projects.find((p) => p.displayName === 'e2e');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    {
      ...e2e,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
    },
  ],
};
