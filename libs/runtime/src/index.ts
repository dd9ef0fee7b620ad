export * from './config';
export * from './health.module';
export * from './http-app';
export * from './logger';
export * from './metrics.module';
export * from './node-version';
