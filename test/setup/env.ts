// Every e2e worker: UTC, and never the service's own DATABASE_URL.
process.env.TZ = 'UTC';
delete process.env.DATABASE_URL;
