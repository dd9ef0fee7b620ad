import { writeFile } from 'node:fs/promises';
import type { ConditionReason } from '@kubevod/contracts';

/** Kubernetes keeps at most 4096 bytes of a termination message. */
const MAX_BYTES = 4096;

export interface TerminationMessage {
  reason: ConditionReason;
  message: string;
  exitCode: number;
  retryable: boolean;
}

/**
 * The pod's termination message (terminationMessagePath): one JSON line the controller reads
 * from the container status to show why a run ended, without any other channel.
 */
export function renderTerminationMessage(m: TerminationMessage): string {
  const line = JSON.stringify(m);
  if (Buffer.byteLength(line) <= MAX_BYTES) return line;
  // shorten the message (never the fields the controller parses), counting escaped UTF-8 bytes
  let budget = MAX_BYTES - Buffer.byteLength(JSON.stringify({ ...m, message: '...' }));
  let kept = '';
  for (const ch of m.message) {
    budget -= Buffer.byteLength(JSON.stringify(ch)) - 2;
    if (budget < 0) break;
    kept += ch;
  }
  return JSON.stringify({ ...m, message: `${kept}...` });
}

/** Best effort: a missing or read-only path (running outside Kubernetes) is not an error. */
export async function writeTerminationMessage(
  path: string,
  m: TerminationMessage,
): Promise<boolean> {
  try {
    await writeFile(path, renderTerminationMessage(m) + '\n');
    return true;
  } catch {
    return false;
  }
}
