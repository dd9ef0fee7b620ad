import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerFactoryHandler } from 'fastify';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { PinoNestLogger } from './logger';

export interface HttpAppOptions {
  logger: Logger;
  /** bytes; fastify's default is 1 MiB */
  bodyLimit?: number;
  /**
   * A first look at every request on Node's server, before fastify: returns true when it has
   * answered (playback's hot path). Through fastify's documented `serverFactory`.
   */
  preHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** Creates a Nest app on fastify with JSON logs and graceful shutdown on SIGTERM/SIGINT. */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const pre = options.preHandler;
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: options.bodyLimit,
      trustProxy: true,
      serverFactory: pre
        ? (toFastify: FastifyServerFactoryHandler, opts: Record<string, unknown>) => {
            const server = createServer((req, res) => {
              if (!pre(req, res)) toFastify(req, res);
            });
            // what fastify sets on a server it creates itself
            server.keepAliveTimeout = Number(opts.keepAliveTimeout ?? 72_000);
            server.requestTimeout = Number(opts.requestTimeout ?? 0);
            server.setTimeout(Number(opts.connectionTimeout ?? 0));
            return server;
          }
        : undefined,
    }),
    { logger: new PinoNestLogger(options.logger), bufferLogs: false },
  );
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  return app;
}

export async function listen(
  app: INestApplication,
  port: number,
  logger: Logger,
  host = '0.0.0.0',
): Promise<string> {
  await app.listen(port, host);
  const url = await app.getUrl();
  logger.info({ url }, 'listening');
  return url;
}
