import type { TranscodeWire } from './wire';

/** Who a video name belongs to. */
export interface NameHolder {
  namespace: string;
  uid: string;
}

/** Refused its name (Failed/NameConflict): it never ran, and nothing under videos/<name>/ is its own. */
export const refusedItsName = (t: Pick<TranscodeWire, 'status'>) =>
  t.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'NameConflict') ?? false;

/**
 * Video ids are Transcode names, and a video's outputs live under `videos/<name>/` in one bucket:
 * two Transcodes of the same name in two watched namespaces would write (and, on deletion, remove)
 * the same objects. One holds the name, the others fail with NameConflict and never touch that
 * prefix. The holder is the one that already started work (its status names a Job), else the
 * oldest (creation time, then uid: the same answer on every replica). Refused ones never hold it;
 * Transcodes being deleted still do until they are gone: their cleanup may be running.
 */
export function nameHolder(
  name: string,
  transcodes: readonly Pick<TranscodeWire, 'metadata' | 'status'>[],
): NameHolder | undefined {
  let best: { namespace: string; uid: string; started: boolean; created: number } | undefined;
  for (const t of transcodes) {
    const m = t.metadata;
    if (m.name !== name || !m.uid || !m.namespace || refusedItsName(t)) continue;
    const parsed = Date.parse(String(m.creationTimestamp ?? ''));
    const c = {
      namespace: m.namespace,
      uid: m.uid,
      started: !!t.status?.jobName,
      created: Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed,
    };
    if (!best || before(c, best)) best = c;
  }
  return best && { namespace: best.namespace, uid: best.uid };
}

function before(
  a: { uid: string; started: boolean; created: number },
  b: { uid: string; started: boolean; created: number },
): boolean {
  if (a.started !== b.started) return a.started;
  if (a.created !== b.created) return a.created < b.created;
  return a.uid < b.uid;
}
