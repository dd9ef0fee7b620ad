import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { matchesEtag, playResponseKey } from '../core/play-response';
import type { HotPlayAnswersService } from '../services/hot-play-answers.service';
import type { DeferredCount, PlaybackMetrics } from '../services/playback.metrics';

const ROUTE = '/v1/play/:id';
const DURATION_LABELS = {
  200: { route: ROUTE, method: 'GET', status: '200' },
  302: { route: ROUTE, method: 'GET', status: '302' },
  304: { route: ROUTE, method: 'GET', status: '304' },
} as const;

/**
 * GET /v1/play/:id answered straight on Node's HTTP server when the same request was answered
 * moments ago: a remembered answer is written as is, before fastify routes anything. Everything
 * else (first requests, errors, HEAD, other routes) goes on to fastify. The counters and the
 * latency histogram are the ones fastify's route feeds, so /metrics reads the same either way.
 */
export class PlayFastLane {
  private readonly hits: DeferredCount<'cache' | 'result'>;
  private readonly misses: DeferredCount<'cache' | 'result'>;

  constructor(
    private readonly answers: HotPlayAnswersService,
    private readonly metrics: PlaybackMetrics,
  ) {
    this.hits = metrics.deferredCache.of({ cache: 'response', result: 'hit' });
    this.misses = metrics.deferredCache.of({ cache: 'response', result: 'miss' });
  }

  /** Answers and returns true, or returns false and leaves the request untouched. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith('/v1/play/')) return false;
    const started = performance.now();
    const key = playResponseKey(url, req.headers['user-agent'], req.headers.accept);
    const hot = key === undefined ? undefined : this.answers.find(key);
    if (hot === undefined) {
      this.misses.pending++;
      return false;
    }
    const { response } = hot;
    let status: 200 | 302 | 304 = response.status;
    if (response.etag !== undefined && matchesEtag(req.headers['if-none-match'], response.etag)) {
      status = 304;
      res.writeHead(304, response.notModifiedHeaders).end();
    } else {
      res.writeHead(status, response.headers).end(response.body);
    }
    this.hits.pending++;
    (hot.selectionCount ??= this.metrics.deferredSelections.of(hot.selection)).pending++;
    this.metrics.duration.observe(DURATION_LABELS[status], (performance.now() - started) / 1000);
    return true;
  }
}
