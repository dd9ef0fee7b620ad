import type { PlayResponse } from '../core/play-response';
import type { PlayAnswer, PlaySelection } from './play.service';
import type { DeferredCount } from './playback.metrics';

/** A remembered answer of GET /v1/play/:id. */
export interface HotPlayAnswer {
  response: PlayResponse;
  selection: PlaySelection;
  expiresAt: number;
  /** its selections series, bound by the fast lane at its first hit */
  selectionCount?: DeferredCount<keyof PlaySelection>;
}

/**
 * Answers of GET /v1/play/:id remembered by request (path and query, User-Agent, Accept), so a
 * repeated request is answered with no parsing, decision or lookup. An answer lives no longer
 * than the cached video it came from, so it never outlives what the lookup cache would serve.
 */
export class HotPlayAnswersService {
  private readonly answers = new Map<string, HotPlayAnswer>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.answers.size;
  }

  find(key: string): HotPlayAnswer | undefined {
    const hot = this.answers.get(key);
    if (hot === undefined) return undefined;
    if (hot.expiresAt <= this.now()) {
      this.answers.delete(key);
      return undefined;
    }
    return hot;
  }

  remember(key: string, answer: PlayAnswer): void {
    if (answer.expiresAt <= this.now()) return;
    // bounded: when full, start over (cheaper than LRU bookkeeping on every hit)
    if (this.answers.size >= this.maxEntries && !this.answers.has(key)) this.answers.clear();
    this.answers.set(key, {
      response: answer.response,
      selection: answer.selection,
      expiresAt: answer.expiresAt,
    });
  }
}
