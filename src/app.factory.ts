import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { PasswordHasher } from './users/password-hasher.service';
import { AppModule, AppModuleOptions } from './app.module';
import { toErrorResponse } from './common/errors/error-response';
import { answerClientError, configureHttp, genReqId } from './common/http/configure-http';
import { setupSwagger } from './common/http/swagger';
import { observeHttpRequests } from './observability/http-metrics';
import { Lifecycle } from './observability/lifecycle.service';
import { MetricsService } from './observability/metrics.service';
import { StartupService } from './startup/startup.service';

/**
 * Builds, configures and initialises the service for one AppConfig, runs migrations and the
 * bootstrap (under an advisory lock), and returns it ready to listen. main.ts and the tests share it.
 */
export async function createApp(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    genReqId,
    requestIdHeader: false,
    logger: false,
    // Slugs are at most 63 characters and ids 36; longer path parameters are answered as 400.
    routerOptions: { maxParamLength: 256 },
    // Errors Fastify raises before routing (bad URL encoding, overlong parameters) get the same
    // shape and request id as everything else.
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const response = toErrorResponse(error, String(req.id));
      void reply
        .code(response.status)
        .headers({ ...response.headers, 'x-request-id': String(req.id) })
        .send(response.body);
    },
    clientErrorHandler: answerClientError,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Requests that arrive while draining are still served (with Connection: close), in our
    // error shape if they fail: the database closes only after the HTTP server (see shutdownApp).
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options),
    adapter,
    { bufferLogs: true, bodyParser: false, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  configureHttp(app, config.http, app.get(Lifecycle));
  observeHttpRequests(app, app.get(MetricsService));
  shedLoginsWhenHashesAreFull(app);
  // v1.1 §13: DOCS_ENABLED (production default false); without it /docs and /docs-json are 404.
  if (config.http.docsEnabled) setupSwagger(app);
  await app.init();
  await app.get(StartupService).run();
  app.get(Lifecycle).startupDone();
  return app;
}

/**
 * Graceful stop: readiness 503 and Connection: close first (for `graceMs`), then the HTTP server closes and waits
 * for in-flight requests, and only then Nest's hooks close the database pool (Nest alone would
 * close the pool before the server).
 */
export async function shutdownApp(app: NestFastifyApplication, graceMs = 0): Promise<void> {
  app.get(Lifecycle).beginDrain();
  // While the load balancer notices the 503, requests still arriving are served (and told to
  // close their connection) instead of being refused.
  if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
  await app.getHttpAdapter().close();
  await app.close();
}

/**
 * Under overload a login that could not even queue for its hash answers 503 as the very first
 * step of the request (before body parsing, guards, throttle counters or passport), so the
 * refused ones cost almost nothing and the accepted ones keep the CPU (issue 12, bounded
 * overload). The same check stays inside login for requests that pass this point.
 */
function shedLoginsWhenHashesAreFull(app: NestFastifyApplication): void {
  const hasher = app.get(PasswordHasher);
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (req) => {
    if (req.method !== 'POST' || req.url.split('?', 1)[0] !== '/v1/auth/login') return;
    try {
      hasher.assertCapacity();
    } catch (e) {
      metrics.loginOutcome('unavailable');
      throw e;
    }
  });
}
