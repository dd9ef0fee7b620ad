import { createHash } from 'node:crypto';

/** The DNS label limit Job names must respect (their pods' labels carry the name). */
export const DNS_LABEL_MAX = 63;

/**
 * A child's deterministic name: `<parent>-<first 8 hex of sha256(parent uid)>-<attempt>`.
 * The same parent and attempt always give the same name, so a controller that crashes after
 * creating the child and retries finds it (409) instead of creating a duplicate; the uid part
 * keeps a re-created parent of the same name from adopting its predecessor's children.
 */
export function childName(parentName: string, parentUid: string, attempt: number): string {
  const hash = createHash('sha256').update(parentUid).digest('hex').slice(0, 8);
  const suffix = `-${hash}-${attempt}`;
  const name = `${parentName.slice(0, DNS_LABEL_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
  return name;
}
