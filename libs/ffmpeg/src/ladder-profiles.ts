import type { LadderProfile } from '@kubevod/contracts';

/** One video rung of a profile: `size` is the short side ("720p" is 1280x720, or 720x1280 upright). */
export interface ProfileRung {
  name: string;
  size: number;
  maxrateKbps: number;
}

export interface LadderProfileDefinition {
  video: readonly ProfileRung[];
  audioKbps: number;
  /** output frame rate cap; a faster source is divided down (60 -> 30) */
  maxFrameRate: number;
}

/**
 * The named ladders. Bitrates are caps (maxrate) over a constant-quality encode: a simple scene
 * uses far less. Sorted from the top rung down.
 */
export const LADDER_PROFILES_DEFINITION: Readonly<Record<LadderProfile, LadderProfileDefinition>> =
  {
    default: {
      video: [
        { name: '1080p', size: 1080, maxrateKbps: 5000 },
        { name: '720p', size: 720, maxrateKbps: 3000 },
        { name: '480p', size: 480, maxrateKbps: 1200 },
        { name: '360p', size: 360, maxrateKbps: 700 },
      ],
      audioKbps: 128,
      maxFrameRate: 60,
    },
    mobile: {
      video: [
        { name: '720p', size: 720, maxrateKbps: 1800 },
        { name: '480p', size: 480, maxrateKbps: 900 },
        { name: '360p', size: 360, maxrateKbps: 550 },
        { name: '240p', size: 240, maxrateKbps: 300 },
      ],
      audioKbps: 96,
      maxFrameRate: 30,
    },
    audio: { video: [], audioKbps: 128, maxFrameRate: 60 },
  };

/** Constant-quality target of every video rung; the maxrate caps it. */
export const DEFAULT_CRF = 23;
/** Frame rate cap of explicit ladders. */
export const EXPLICIT_LADDER_MAX_FRAME_RATE = 60;
