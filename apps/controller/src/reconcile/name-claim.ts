import type { TranscodeWire } from './wire';

/** Who a video name belongs to. */
export interface NameHolder {
  namespace: string;
  uid: string;
}

/**
 * Video ids are Transcode names, and a video's outputs live under `videos/<name>/` in one bucket:
 * two Transcodes of the same name in two watched namespaces would write (and, on deletion, remove)
 * the same objects. The name belongs to the oldest of them (creation time, then uid: the same
 * answer on every replica); the others fail with NameConflict and never touch that prefix.
 * Transcodes being deleted still hold their name until they are gone: their cleanup may be running.
 */
export function nameHolder(
  name: string,
  transcodes: readonly Pick<TranscodeWire, 'metadata'>[],
): NameHolder | undefined {
  let best: { namespace: string; uid: string; created: number } | undefined;
  for (const t of transcodes) {
    const m = t.metadata;
    if (m.name !== name || !m.uid || !m.namespace) continue;
    const created = Date.parse(String(m.creationTimestamp ?? ''));
    const at = Number.isNaN(created) ? Number.POSITIVE_INFINITY : created;
    if (!best || at < best.created || (at === best.created && m.uid < best.uid)) {
      best = { namespace: m.namespace, uid: m.uid, created: at };
    }
  }
  return best && { namespace: best.namespace, uid: best.uid };
}
