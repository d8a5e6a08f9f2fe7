// Latency histograms (hdr-histogram-js) in microseconds, and the percentiles the harness reports.
import * as hdr from "hdr-histogram-js";
import type { Histogram } from "hdr-histogram-js";

export const PERCENTILES = [50, 75, 90, 95, 99, 99.9, 99.99] as const;
export type Percentiles = Record<string, number>;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

/** p50 … p99.99 in microseconds, keyed "p50", "p99.9"… plus "max" and "mean". */
export function percentilesOf(h: Histogram): Percentiles {
  const out: Percentiles = {};
  for (const p of PERCENTILES) out[`p${p}`] = h.getValueAtPercentile(p);
  out.max = h.maxValue;
  out.mean = Math.round(h.mean);
  return out;
}
