export * from './minio.repository';
export * from './object-store';
export * from './storage.config';
