import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { PinoNestLogger } from './logger';

export interface HttpAppOptions {
  logger: Logger;
  /** bytes; fastify's default is 1 MiB */
  bodyLimit?: number;
}

/** Creates a Nest app on fastify with JSON logs and graceful shutdown on SIGTERM/SIGINT. */
export async function createHttpApp(
  module: Type<unknown>,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ bodyLimit: options.bodyLimit, trustProxy: true }),
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
