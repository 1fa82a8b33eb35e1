import { cpus } from 'node:os';

/** The shape of a bench run: how much load, how many at once. */
export const CORES = cpus().length;
export const VERIFY_CONNECTIONS = 50;
export const LOGIN_WORKERS = 8;
/** Successful verifies per verify run (each needs a challenge issued beforehand). */
export const VERIFY_PAIRS = Number(process.env.BENCH_VERIFY_PAIRS ?? 4000);
