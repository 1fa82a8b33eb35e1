export default async function globalTeardown() {
  const server = globalThis.__EFCX_PG__;
  if (server) await server.stop();
}
