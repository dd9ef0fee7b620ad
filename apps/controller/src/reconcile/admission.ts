/**
 * The concurrency cap: which waiting Transcodes may get a Job now.
 *
 * Waiting work gets NO Job until admitted (rather than a suspended Job): nothing exists on the
 * cluster for it, so it takes no quota or etcd churn, a spec change before admission simply
 * applies, and deleting it needs no cleanup. The decision is made from the informer caches,
 * ordered by spec.priority (higher first), then age, then name, so it is deterministic.
 */
export interface Candidate {
  key: string;
  namespace: string;
  priority: number;
  /** creationTimestamp, ISO */
  created: string;
}

export interface Caps {
  /** 0 = no cap */
  total: number;
  perNamespace: number;
}

export interface Running {
  total: number;
  byNamespace: ReadonlyMap<string, number>;
}

export function byPriority(a: Candidate, b: Candidate): number {
  return (
    b.priority - a.priority ||
    (a.created < b.created ? -1 : a.created > b.created ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/**
 * The keys that get a slot now, in order: walk the waiting list by priority and hand out free
 * slots; work blocked only by its own namespace's cap does not hold back other namespaces.
 */
export function admit(waiting: readonly Candidate[], running: Running, caps: Caps): string[] {
  const unlimited = Number.POSITIVE_INFINITY;
  let free = caps.total > 0 ? caps.total - running.total : unlimited;
  const nsFree = new Map<string, number>();
  const admitted: string[] = [];
  for (const c of [...waiting].sort(byPriority)) {
    if (free <= 0) break;
    const left =
      nsFree.get(c.namespace) ??
      (caps.perNamespace > 0
        ? caps.perNamespace - (running.byNamespace.get(c.namespace) ?? 0)
        : unlimited);
    if (left <= 0) continue;
    nsFree.set(c.namespace, left - 1);
    free--;
    admitted.push(c.key);
  }
  return admitted;
}
