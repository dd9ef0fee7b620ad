import { Counter, Histogram, type Registry } from 'prom-client';

export type UploadProtocol = 'multipart' | 'tus';
export type UploadOutcome = 'created' | 'rejected' | 'aborted' | 'failed';

/** The API's own metrics, on the app's registry (served at /metrics with the Node defaults). */
export class ApiMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly uploadBytes: Counter<'protocol'>;
  readonly uploads: Counter<'protocol' | 'outcome'>;
  readonly uploadDuration: Histogram<'protocol' | 'outcome'>;
  readonly transcodesCreated: Counter<'protocol'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'kubevod_api_http_requests_total',
      help: 'HTTP requests answered, by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'kubevod_api_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers,
    });
    this.uploadBytes = new Counter({
      name: 'kubevod_api_upload_bytes_total',
      help: 'Bytes of media received and stored, by protocol.',
      labelNames: ['protocol'],
      registers,
    });
    this.uploads = new Counter({
      name: 'kubevod_api_uploads_total',
      help: 'Uploads that ended, by protocol and outcome (created, rejected, aborted, failed).',
      labelNames: ['protocol', 'outcome'],
      registers,
    });
    this.uploadDuration = new Histogram({
      name: 'kubevod_api_upload_duration_seconds',
      help: 'Duration of uploads, from the first byte to the Transcode, by protocol and outcome.',
      labelNames: ['protocol', 'outcome'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.transcodesCreated = new Counter({
      name: 'kubevod_api_transcodes_created_total',
      help: 'Transcodes created for finished uploads, by protocol.',
      labelNames: ['protocol'],
      registers,
    });
  }

  uploadEnded(protocol: UploadProtocol, outcome: UploadOutcome, startedAt: number): void {
    this.uploads.inc({ protocol, outcome });
    this.uploadDuration.observe({ protocol, outcome }, (Date.now() - startedAt) / 1000);
  }
}
