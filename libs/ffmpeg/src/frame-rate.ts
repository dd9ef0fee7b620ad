import type { VideoInfo } from './probe';
import { reduce, toNumber, type Rational } from './rational';

const STANDARD_RATES: readonly Rational[] = [
  { num: 24000, den: 1001 },
  { num: 24, den: 1 },
  { num: 25, den: 1 },
  { num: 30000, den: 1001 },
  { num: 30, den: 1 },
  { num: 48, den: 1 },
  { num: 50, den: 1 },
  { num: 60000, den: 1001 },
  { num: 60, den: 1 },
];

/**
 * The constant output frame rate of every video rendition (one rate for all keeps the GOPs of
 * all renditions on the same timestamps). A variable-rate source is made constant at the
 * smallest standard rate at or above its average, so no motion is lost. A rate above the cap is
 * divided by a whole number (60 -> 30, 50 -> 25, 120 -> 60), which drops frames evenly.
 */
export function outputFrameRate(video: VideoInfo, cap: number): Rational {
  let rate = video.frameRate;
  if (video.variableFrameRate && video.averageFrameRate) {
    const avg = toNumber(video.averageFrameRate);
    rate = STANDARD_RATES.find((r) => toNumber(r) >= avg * 0.99) ?? video.averageFrameRate;
  }
  const fps = toNumber(rate);
  if (fps <= cap) return reduce(rate);
  const divisor = Math.ceil(fps / cap - 1e-9);
  return reduce({ num: rate.num, den: rate.den * divisor });
}
