import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { MetricsService } from './metrics.service';

/** Methods a route can have; anything else is counted as `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * efcx_http_request_duration_seconds{method,route,status} from an onResponse hook. The route is
 * the matched route's template (`/v1/tenants/:slug/users/:id`, Fastify's routeOptions.url), never
 * the URL: no slug, id or query string becomes a label, and a request that matched no route is
 * `unmatched`, so the series stay as few as the routes.
 */
export function observeHttpRequests(app: NestFastifyApplication, metrics: MetricsService): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(
      METHODS.has(request.method) ? request.method : 'other',
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
