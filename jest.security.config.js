/**
 * `npm run test:security`: slow security measurements (e.g. user enumeration by login timing),
 * run on their own, one file at a time, against the service started in-process on the e2e
 * project's PostgreSQL. Kept out of `npm test`: timing needs a quiet machine more than the
 * functional suite does.
 */
const base = require('./jest.config');

const e2e = base.projects.find((p) => p.displayName === 'e2e');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 600000,
  // One file at a time: parallel files would measure each other's load.
  maxWorkers: 1,
  projects: [
    {
      ...e2e,
      displayName: 'security',
      testMatch: ['<rootDir>/test/security/**/*.security-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
      slowTestThreshold: 120,
    },
  ],
};
