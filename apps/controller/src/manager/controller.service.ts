import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { METRICS_REGISTRY, type ReadinessCheck } from '@kubevod/runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerConfig } from '../config';
import { ControllerManager } from './controller-manager';

export const CONTROLLER_CONFIG = Symbol('CONTROLLER_CONFIG');
export const CONTROLLER_LOGGER = Symbol('CONTROLLER_LOGGER');

/** Runs the ControllerManager for the app's lifetime; off when CONTROLLER_ENABLED=false. */
@Injectable()
export class ControllerService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly manager?: ControllerManager;

  constructor(
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(CONTROLLER_LOGGER) logger: Logger,
  ) {
    if (config.CONTROLLER_ENABLED) this.manager = new ControllerManager(config, registry, logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.manager?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.manager?.stop();
  }

  readinessChecks(): ReadinessCheck[] {
    if (this.manager) return this.manager.readinessChecks();
    return [
      {
        name: 'controller',
        check: async () => {
          throw new Error('controller disabled (CONTROLLER_ENABLED=false)');
        },
      },
    ];
  }
}
