// Charts as hand-written SVG strings (no browser, no dependency): throughput bars per contender
// and latency-percentile curves.

const COLORS: Record<string, string> = {
  floor: "#9e9e9e",
  grpcjs: "#f4a261",
  "grpcjs-user": "#f4a261",
  grpcgo: "#2a9d8f",
  ours: "#3a6ea5",
  "ours-user": "#3a6ea5",
  "grpcjs-client": "#f4a261",
  "ours-client": "#3a6ea5",
  ghz: "#2a9d8f",
  h2load: "#9e9e9e",
  h2raw: "#6d597a",
};
const FALLBACK = ["#6d597a", "#b56576", "#e56b6f", "#355070"];

export function colorOf(key: string, i: number): string {
  return COLORS[key] ?? FALLBACK[i % FALLBACK.length];
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (n >= 100) return n.toFixed(0);
  return n.toFixed(n >= 10 ? 1 : 2);
}

export interface Bar {
  label: string;
  key: string;
  value: number;
  /** Min and max of the runs, drawn as a whisker. */
  min?: number;
  max?: number;
  note?: string;
}

/** Horizontal bars, one per contender, with the value and min–max whiskers. */
export function barsSvg(title: string, unit: string, bars: Bar[]): string {
  const rowH = 28;
  const left = 250;
  const width = 760;
  const plotW = width - left - 110;
  const top = 40;
  const height = top + bars.length * rowH + 30;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.max ?? 0)));
  const x = (v: number): number => left + (v / max) * plotW;
  const rows = bars
    .map((b, i) => {
      const y = top + i * rowH;
      const w = Math.max(1, x(b.value) - left);
      const whisker =
        b.min !== undefined && b.max !== undefined && b.max > b.min
          ? `<line x1="${x(b.min).toFixed(1)}" x2="${x(b.max).toFixed(1)}" y1="${y + 10}" y2="${y + 10}" stroke="#222" stroke-width="1.5"/>`
          : "";
      return (
        `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>` +
        `<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${colorOf(b.key, i)}" rx="2"/>` +
        whisker +
        `<text x="${(x(Math.max(b.value, b.max ?? 0)) + 6).toFixed(1)}" y="${y + 14}">${esc(fmtNum(b.value))}${b.note !== undefined ? ` ${esc(b.note)}` : ""}</text>`
      );
    })
    .join("\n");
  return svg(width, height, title, `${rows}\n<text x="${left}" y="${height - 8}" fill="#555">${esc(unit)} (median of runs; whiskers: min–max)</text>`);
}

export interface Curve {
  label: string;
  key: string;
  /** SVG stroke-dasharray, to tell apart curves of one color (the same server under several generators). */
  dash?: string;
  /** [percentile, microseconds] */
  points: Array<[number, number]>;
}

/** Latency by percentile: x is log(1 / (1 − p)) so the tail spreads out; y is log latency. */
export function latencySvg(title: string, curves: Curve[]): string {
  const width = 900;
  const height = Math.max(360, 90 + curves.length * 18);
  const left = 70;
  const right = 330;
  const top = 40;
  const bottom = 50;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const pts = curves.flatMap((c) => c.points);
  if (pts.length === 0) return svg(width, 80, title, `<text x="20" y="60">no latency data</text>`);
  const xs = (p: number): number => Math.log10(1 / (1 - p / 100));
  const x0 = xs(50);
  const x1 = Math.max(...pts.map(([p]) => xs(p)));
  const lo = Math.max(1, Math.min(...pts.map(([, v]) => v)));
  const hi = Math.max(...pts.map(([, v]) => v));
  const y0 = Math.floor(Math.log10(lo));
  const y1 = Math.max(y0 + 1, Math.ceil(Math.log10(hi)));
  const X = (p: number): number => left + ((xs(p) - x0) / Math.max(1e-9, x1 - x0)) * pw;
  const Y = (v: number): number => top + ph - ((Math.log10(Math.max(1, v)) - y0) / (y1 - y0)) * ph;
  const grid: string[] = [];
  for (let e = y0; e <= y1; e++) {
    const v = 10 ** e;
    grid.push(`<line x1="${left}" x2="${left + pw}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#ddd"/>`);
    grid.push(`<text x="${left - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${v >= 1000 ? `${v / 1000} ms` : `${v} µs`}</text>`);
  }
  for (const p of [50, 90, 99, 99.9, 99.99]) {
    if (xs(p) > x1 + 1e-9) continue;
    grid.push(`<line x1="${X(p).toFixed(1)}" x2="${X(p).toFixed(1)}" y1="${top}" y2="${top + ph}" stroke="#eee"/>`);
    grid.push(`<text x="${X(p).toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">p${p}</text>`);
  }
  const lines = curves
    .map((c, i) => {
      const col = colorOf(c.key, i);
      const d = c.points.map(([p, v], j) => `${j === 0 ? "M" : "L"}${X(p).toFixed(1)},${Y(v).toFixed(1)}`).join(" ");
      const dots = c.points.map(([p, v]) => `<circle cx="${X(p).toFixed(1)}" cy="${Y(v).toFixed(1)}" r="2.5" fill="${col}"/>`).join("");
      const ly = top + 14 + i * 18;
      const dash = c.dash !== undefined ? ` stroke-dasharray="${c.dash}"` : "";
      return (
        `<path d="${d}" fill="none" stroke="${col}" stroke-width="2"${dash}/>${dots}` +
        `<line x1="${left + pw + 12}" x2="${left + pw + 34}" y1="${ly - 3}" y2="${ly - 3}" stroke="${col}" stroke-width="3"${dash}/>` +
        `<text x="${left + pw + 40}" y="${ly + 1}">${esc(c.label)}</text>`
      );
    })
    .join("\n");
  return svg(width, height, title, `${grid.join("\n")}\n${lines}\n<text x="${left + pw / 2}" y="${height - 10}" text-anchor="middle" fill="#555">percentile (log tail scale); latency on a log scale</text>`);
}

function svg(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n<text x="12" y="22" font-size="15" font-weight="bold">${esc(title)}</text>\n${body}\n</svg>\n`
  );
}

export interface Series {
  label: string;
  key: string;
  /** [x, y] */
  points: Array<[number, number]>;
}

const SERIES_COLORS: Record<string, string> = { rss: "#9e9e9e", heap: "#3a6ea5", handles: "#e76f51" };

/** Lines over time on one linear y axis from 0 (the soak's RSS, heap after GC and handle counts). */
export function seriesSvg(title: string, xUnit: string, series: Series[]): string {
  const width = 900;
  const height = 380;
  const left = 60;
  const right = 260;
  const top = 40;
  const bottom = 50;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const pts = series.flatMap((s) => s.points);
  if (pts.length === 0) return svg(width, 80, title, `<text x="20" y="60">no data</text>`);
  const xMax = Math.max(1, ...pts.map(([x]) => x));
  const rawMax = Math.max(1, ...pts.map(([, y]) => y));
  const step = 10 ** Math.floor(Math.log10(rawMax));
  const yMax = Math.ceil((rawMax * 1.1) / step) * step;
  const X = (x: number): number => left + (x / xMax) * pw;
  const Y = (y: number): number => top + ph - (y / yMax) * ph;
  const grid: string[] = [];
  const yStep = yMax / 5;
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    grid.push(`<line x1="${left}" x2="${left + pw}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#ddd"/>`);
    grid.push(`<text x="${left - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${fmtNum(v)}</text>`);
  }
  for (let i = 0; i <= 6; i++) {
    const x = (xMax * i) / 6;
    grid.push(`<text x="${X(x).toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${fmtNum(x)}</text>`);
  }
  const lines = series
    .map((s, i) => {
      const col = SERIES_COLORS[s.key] ?? colorOf(s.key, i);
      const d = s.points.map(([x, y], j) => `${j === 0 ? "M" : "L"}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(" ");
      const ly = top + 14 + i * 18;
      return (
        `<path d="${d}" fill="none" stroke="${col}" stroke-width="2"/>` +
        `<line x1="${left + pw + 12}" x2="${left + pw + 34}" y1="${ly - 3}" y2="${ly - 3}" stroke="${col}" stroke-width="3"/>` +
        `<text x="${left + pw + 40}" y="${ly + 1}">${esc(s.label)}</text>`
      );
    })
    .join("\n");
  return svg(width, height, title, `${grid.join("\n")}\n${lines}\n<text x="${left + pw / 2}" y="${height - 10}" text-anchor="middle" fill="#555">${esc(xUnit)}</text>`);
}
