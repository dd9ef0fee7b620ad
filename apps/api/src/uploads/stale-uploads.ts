/** A multipart upload that was started in the bucket and neither completed nor aborted. */
export interface IncompleteUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

/**
 * The uploads started more than `expiryMs` before `now`: unfinished tus uploads past their
 * expiry, and multipart uploads left by a process that died mid-upload. An upload without a
 * valid start time is kept (it cannot be shown to be old).
 */
export function expiredUploads(
  uploads: readonly IncompleteUpload[],
  now: number,
  expiryMs: number,
): IncompleteUpload[] {
  return uploads.filter((u) => {
    const started = u.initiated.getTime();
    return Number.isFinite(started) && now > started + expiryMs;
  });
}
