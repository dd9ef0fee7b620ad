/**
 * H.264 levels (ITU-T H.264 Table A-1): the smallest level whose limits hold a rendition.
 * The encoder is told the level, so the RFC 6381 codecs string in the manifests is exact.
 */
const LEVELS: readonly {
  level: string;
  idc: number;
  maxMbps: number;
  maxFs: number;
  maxBrKbps: number;
}[] = [
  { level: '3.0', idc: 30, maxMbps: 40_500, maxFs: 1_620, maxBrKbps: 10_000 },
  { level: '3.1', idc: 31, maxMbps: 108_000, maxFs: 3_600, maxBrKbps: 14_000 },
  { level: '3.2', idc: 32, maxMbps: 216_000, maxFs: 5_120, maxBrKbps: 20_000 },
  { level: '4.0', idc: 40, maxMbps: 245_760, maxFs: 8_192, maxBrKbps: 20_000 },
  { level: '4.1', idc: 41, maxMbps: 245_760, maxFs: 8_192, maxBrKbps: 50_000 },
  { level: '4.2', idc: 42, maxMbps: 522_240, maxFs: 8_704, maxBrKbps: 50_000 },
  { level: '5.0', idc: 50, maxMbps: 589_824, maxFs: 22_080, maxBrKbps: 135_000 },
  { level: '5.1', idc: 51, maxMbps: 983_040, maxFs: 36_864, maxBrKbps: 240_000 },
  { level: '5.2', idc: 52, maxMbps: 2_073_600, maxFs: 36_864, maxBrKbps: 240_000 },
];

/** High profile allows 1.25x the Main/Baseline bitrate (cpbBrNalFactor 1500 vs 1200). */
const HIGH_BITRATE_FACTOR = 1.25;
const HIGH_PROFILE_IDC = 0x64;

export interface H264Level {
  level: string;
  idc: number;
}

/** Level 3.0 is the floor: lower levels buy nothing and some players mis-handle them. */
export function h264LevelFor(
  width: number,
  height: number,
  fps: number,
  maxrateKbps: number,
): H264Level {
  const mbW = Math.ceil(width / 16);
  const mbH = Math.ceil(height / 16);
  const frameMbs = mbW * mbH;
  const found = LEVELS.find(
    (l) =>
      frameMbs <= l.maxFs &&
      frameMbs * fps <= l.maxMbps &&
      maxrateKbps <= l.maxBrKbps * HIGH_BITRATE_FACTOR &&
      Math.max(mbW, mbH) <= Math.sqrt(8 * l.maxFs),
  );
  const chosen = found ?? LEVELS[LEVELS.length - 1];
  return { level: chosen.level, idc: chosen.idc };
}

/** RFC 6381 codecs string of an H.264 High profile stream, e.g. avc1.64001f for level 3.1. */
export function h264Codecs(level: H264Level): string {
  return `avc1.${hex(HIGH_PROFILE_IDC)}00${hex(level.idc)}`;
}

/** AAC-LC. */
export const AAC_LC_CODECS = 'mp4a.40.2';

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
