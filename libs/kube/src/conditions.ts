/** A status condition following the Kubernetes API conventions. */
export interface StatusCondition<T extends string = string, R extends string = string> {
  type: T;
  status: 'True' | 'False' | 'Unknown';
  reason: R;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/**
 * Sets a condition in a list (returns a new list). lastTransitionTime changes only when the
 * status changes, as the conventions require; reason, message and generation always update.
 */
export function setCondition<C extends StatusCondition>(
  conditions: readonly C[] | undefined,
  next: Omit<C, 'lastTransitionTime'>,
  now: Date,
): C[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const lastTransitionTime =
    prev && prev.status === next.status ? prev.lastTransitionTime : now.toISOString();
  const merged = { ...next, lastTransitionTime } as C;
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export function findCondition<C extends StatusCondition>(
  conditions: readonly C[] | undefined,
  type: C['type'],
): C | undefined {
  return conditions?.find((c) => c.type === type);
}
