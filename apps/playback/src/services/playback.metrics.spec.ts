import { Registry } from 'prom-client';
import { PlaybackMetrics } from './playback.metrics';

const line = (text: string, prefix: string) =>
  text.split('\n').find((l) => l.startsWith(prefix + ' ') || l.startsWith(prefix));

describe('PlaybackMetrics deferred counts', () => {
  it('are folded into their counters at every scrape, once', async () => {
    const registry = new Registry();
    const metrics = new PlaybackMetrics(registry);
    const hits = metrics.deferredCache.of({ cache: 'response', result: 'hit' });
    expect(metrics.deferredCache.of({ cache: 'response', result: 'hit' })).toBe(hits);
    const ios = metrics.deferredSelections.of({
      format: 'hls',
      platform: 'ios',
      via: 'user-agent',
      answer: 'manifest',
    });
    hits.pending += 3;
    ios.pending += 2;
    metrics.cache.inc({ cache: 'response', result: 'hit' }); // counted directly as well

    let text = await registry.metrics();
    expect(line(text, 'kubevod_playback_cache_lookups_total{cache="response",result="hit"}')).toBe(
      'kubevod_playback_cache_lookups_total{cache="response",result="hit"} 4',
    );
    expect(line(text, 'kubevod_playback_selections_total{')).toBe(
      'kubevod_playback_selections_total{format="hls",platform="ios",via="user-agent",answer="manifest"} 2',
    );

    text = await registry.metrics(); // nothing new: nothing added twice
    expect(line(text, 'kubevod_playback_cache_lookups_total{cache="response",result="hit"}')).toBe(
      'kubevod_playback_cache_lookups_total{cache="response",result="hit"} 4',
    );
    hits.pending++;
    const json = await registry.getMetricsAsJSON(); // the cluster aggregation reads this form
    const cache = json.find((m) => m.name === 'kubevod_playback_cache_lookups_total')!;
    expect(cache.values).toEqual([{ labels: { cache: 'response', result: 'hit' }, value: 5 }]);
  });
});
