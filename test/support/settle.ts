// Test support: waits until a counter stops changing, e.g. a writer that flow control has blocked
// (nothing reports "blocked" as an event: a stalled writer is one whose count holds still).

/**
 * Polls `read()` every `intervalMs` (default 150) and resolves with its value once it has come back
 * unchanged `unchangedPolls` times in a row (default 1).
 */
export async function settle(read: () => number, opts: { intervalMs?: number; unchangedPolls?: number } = {}): Promise<number> {
  const intervalMs = opts.intervalMs ?? 150;
  const unchangedPolls = opts.unchangedPolls ?? 1;
  let last = read();
  for (let same = 0; same < unchangedPolls; ) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}
