/** Why a playback request was refused: the `reason` of the JSON body, one closed list. */
export const PLAYBACK_REASONS = [
  'InvalidVideoId',
  'InvalidPath',
  'InvalidFormat',
  'InvalidResolution',
  'InvalidPlayer',
  'NotFound',
  'Processing',
  'FormatNotPublished',
  'NoRenditionInRange',
  'RangeNotSatisfiable',
  'CorruptRecord',
  'StorageUnavailable',
] as const;
export type PlaybackReason = (typeof PLAYBACK_REASONS)[number];

/** A refusal with an HTTP status and a machine-readable reason. */
export class PlaybackError extends Error {
  constructor(
    readonly status: number,
    readonly reason: PlaybackReason,
    message: string,
  ) {
    super(message);
    this.name = 'PlaybackError';
  }
}
