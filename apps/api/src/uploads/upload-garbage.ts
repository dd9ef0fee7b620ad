type Gc = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

/**
 * Frees the buffers of upload chunks promptly. Every socket read allocates a fresh buffer
 * outside the JS heap, and V8 frees it only when a GC finds its small wrapper dead: with a 1 MiB
 * young generation that takes tens of MiB of chunks, and a full GC prompted by the external
 * memory waits longer still, so a 100 MiB/s upload left 20-40 MiB of dead chunks resident
 * (apps/api/bench/README.md). A young-generation GC every few MiB received (well under a
 * millisecond each) keeps that to a few MiB. Active only when the process runs with
 * `--expose-gc`; otherwise `received` does nothing.
 */
export class UploadGarbage {
  private sinceLast = 0;
  collections = 0;

  constructor(
    private readonly everyBytes: number,
    private readonly gc: (() => void) | undefined,
  ) {}

  /** With this process's gc when it runs with --expose-gc. */
  static forProcess(everyBytes: number): UploadGarbage {
    return new UploadGarbage(everyBytes, exposedMinorGc());
  }

  get active(): boolean {
    return this.gc !== undefined;
  }

  /** Counts bytes received from clients (all uploads of the process together). */
  received(bytes: number): void {
    if (!this.gc) return;
    this.sinceLast += bytes;
    if (this.sinceLast < this.everyBytes) return;
    this.sinceLast = 0;
    this.collections++;
    this.gc();
  }
}

function exposedMinorGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: Gc }).gc;
  return gc ? () => gc({ type: 'minor', execution: 'sync' }) : undefined;
}
