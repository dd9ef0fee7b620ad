export * from './api-group';
export * from './crd';
export * from './exit-codes';
export * from './object-keys';
export * from './reasons';
export * from './transcode.schema';
export * from './validate';
export * from './worker-job';
