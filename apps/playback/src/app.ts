import { createHttpApp, createLogger } from '@kubevod/runtime';
import { MinioObjectStore, type ObjectStore } from '@kubevod/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AppModule } from './app.module';
import type { PlaybackConfig } from './config';
import { PlayController } from './controllers/play.controller';
import { PlayFastLane } from './controllers/play-fast-lane';
import { corsHeaders } from './core/play-response';
import { HotPlayAnswersService } from './services/hot-play-answers.service';
import { PlaybackMetrics } from './services/playback.metrics';

export interface PlaybackAppOptions {
  /** the store to read from; MinIO/S3 from the config by default */
  store?: ObjectStore;
  /** a node:cluster worker: /metrics answers for the whole cluster (asks the primary) */
  clusterWorker?: boolean;
}

export async function createPlaybackApp(
  config: PlaybackConfig,
  options: PlaybackAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createLogger('playback', config.LOG_LEVEL);
  const store = options.store ?? MinioObjectStore.fromConfig(config);

  // Node's server hands each request to the fast lane first, then to fastify.
  const lane: { fast?: PlayFastLane } = {}; // set once the app's services exist
  const app = await createHttpApp(AppModule.forRoot(config, logger, store, options.clusterWorker), {
    logger,
    preHandler: (req, res) => lane.fast?.serve(req, res) ?? false,
  });

  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const metrics = app.get(PlaybackMetrics);
  app.get(PlayController).register(fastify);
  lane.fast = new PlayFastLane(app.get(HotPlayAnswersService), metrics);

  // CORS on everything a player fetches (/v1/...), errors included, so players see the reason.
  const cors = corsHeaders(config.CORS_ALLOW_ORIGIN);
  fastify.addHook('onRequest', (req, reply, done) => {
    if (req.url.startsWith('/v1/')) reply.headers(cors);
    done();
  });
  fastify.options('/v1/*', (_req, reply) => {
    void reply
      .code(204)
      .headers({
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-allow-headers': 'Range, If-None-Match, If-Modified-Since',
        'access-control-max-age': '86400',
      })
      .send();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.duration.observe(
      {
        route: req.routeOptions.url ?? 'unmatched',
        method: req.method,
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  return app;
}
