/**
 * PLAYBACK_WORKERS: how many processes serve requests. `auto` is one per available core; a
 * number is taken as is (1 = no cluster, the process serves itself). Undefined when invalid.
 */
export function workerCount(value: string, availableCores: number): number | undefined {
  if (value === 'auto') return Math.max(1, availableCores);
  if (!/^[1-9][0-9]{0,2}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 256 ? n : undefined;
}
