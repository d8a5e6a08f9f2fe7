// Test support: waits until a counter stops changing, e.g. a writer that flow control has blocked.

/** Polls `read()` every 150 ms and resolves with its value once two reads agree. */
export async function settle(read: () => number): Promise<number> {
  let last = -1;
  for (;;) {
    const now = read();
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 150));
  }
}
