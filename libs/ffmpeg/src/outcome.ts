import { invalidInput } from './errors';

/**
 * A source that decodes only partly must fail, not publish its first seconds: compares how far
 * the encode got with the probed duration. Tolerance: half a second or 2 %, whichever is larger
 * (container durations are approximate, the last frame's duration is a guess).
 */
export function checkDecodedDuration(probedSeconds: number, decodedSeconds: number): void {
  const tolerance = Math.max(0.5, probedSeconds * 0.02);
  if (decodedSeconds < probedSeconds - tolerance) {
    throw invalidInput(
      `decoded only ${decodedSeconds.toFixed(2)} s of the ${probedSeconds.toFixed(2)} s the container announces: truncated or corrupt`,
    );
  }
}
