import type { BrowserContext } from 'playwright-core';

/** What playback's player page exposes as `window.__player`. */
export interface PlayerState {
  player: string;
  format: string;
  currentTime: number;
  playing?: boolean;
  error: string | null;
}

export interface WatchResult {
  /** HTTP status of the page itself */
  status: number | undefined;
  state: PlayerState;
  /** page errors and every response >= 400 (manifests, segments, scripts) */
  failed: string[];
}

/**
 * Opens a `/watch/:id` page and waits until its player has played past 3 s or reported an error
 * (or the timeout passed), then returns the player's state and whatever failed on the way.
 */
export async function watchPage(
  context: BrowserContext,
  pageUrl: string,
  timeoutMs: number,
): Promise<WatchResult> {
  const page = await context.newPage();
  const failed: string[] = [];
  page.on('pageerror', (e) => failed.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  try {
    const res = await page.goto(pageUrl);
    await page
      .waitForFunction(
        () => {
          const p = (globalThis as unknown as { __player?: PlayerState }).__player;
          return !!p && (p.error !== null || p.currentTime > 3);
        },
        undefined,
        { timeout: timeoutMs, polling: 250 },
      )
      .catch(() => undefined);
    const state = await page.evaluate(
      () => (globalThis as unknown as { __player: PlayerState }).__player,
    );
    return { status: res?.status(), state, failed };
  } finally {
    await page.close();
  }
}
