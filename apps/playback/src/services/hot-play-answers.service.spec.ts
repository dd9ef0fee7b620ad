import { buildPlayResponse } from '../core/play-response';
import { HotPlayAnswersService } from './hot-play-answers.service';
import type { PlayAnswer } from './play.service';

const answer = (expiresAt: number, location = 'https://cdn.example.test/m.mpd'): PlayAnswer => ({
  response: buildPlayResponse({ kind: 'redirect', location }, '*'),
  selection: { format: 'dash', platform: 'linux', via: 'user-agent', answer: 'redirect' },
  expiresAt,
});

describe('HotPlayAnswersService', () => {
  let now = 1000;
  const clock = () => now;
  beforeEach(() => (now = 1000));

  it('finds an answer until its video expires, then forgets it', () => {
    const hot = new HotPlayAnswersService(10, clock);
    const a = answer(1500);
    hot.remember('k', a);
    expect(hot.find('k')).toEqual({
      response: a.response,
      selection: a.selection,
      expiresAt: 1500,
    });
    now = 1499;
    expect(hot.find('k')?.expiresAt).toBe(1500);
    now = 1500;
    expect(hot.find('k')).toBeUndefined();
    expect(hot.size).toBe(0);
  });

  it('does not remember an answer whose video has already expired', () => {
    const hot = new HotPlayAnswersService(10, clock);
    hot.remember('k', answer(1000));
    expect(hot.size).toBe(0);
    expect(hot.find('k')).toBeUndefined();
  });

  it('replaces an answer for the same key', () => {
    const hot = new HotPlayAnswersService(10, clock);
    hot.remember('k', answer(2000, 'https://a.test/1'));
    hot.remember('k', answer(3000, 'https://a.test/2'));
    expect(hot.size).toBe(1);
    expect(hot.find('k')?.expiresAt).toBe(3000);
  });

  it('starts over when full', () => {
    const hot = new HotPlayAnswersService(3, clock);
    for (const k of ['a', 'b', 'c']) hot.remember(k, answer(2000));
    expect(hot.size).toBe(3);
    hot.remember('c', answer(2000)); // a known key does not count as new
    expect(hot.size).toBe(3);
    hot.remember('d', answer(2000));
    expect(hot.size).toBe(1);
    expect(hot.find('a')).toBeUndefined();
    expect(hot.find('d')?.expiresAt).toBe(2000);
  });
});
