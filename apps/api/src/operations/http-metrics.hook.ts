import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from './api-metrics';

/** Request rate, errors and duration for every route, labelled by the route pattern (not the URL). */
export function installHttpMetrics(fastify: FastifyInstance, metrics: ApiMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
