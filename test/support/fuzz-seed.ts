// The seed of the fast-check property tests (docs/DEVELOPING.md "fast-check with fixed seeds").

/** A fixed seed keeps CI reproducible; `FUZZ_SEED=n` explores other inputs (and replays a reported failure). */
export const FUZZ_SEED: number = seedFromEnv(process.env.FUZZ_SEED, 20261204);

function seedFromEnv(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(value)}`);
  return n;
}
