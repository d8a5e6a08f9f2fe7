// Preload: samples only objects that outlive a young-generation GC (V8 sampling heap profiler with
// includeObjectsCollectedByMinorGC=false), from SURVIVORS_START to SURVIVORS_STOP ms after start,
// then prints the top allocation stacks by surviving bytes to stderr (SURVIVORS_TOP lines, 40).
import { Session } from "node:inspector";
const start = Number(process.env.SURVIVORS_START ?? 1500);
const stop = Number(process.env.SURVIVORS_STOP ?? 3500);
const top = Number(process.env.SURVIVORS_TOP ?? 40);
const depth = Number(process.env.SURVIVORS_DEPTH ?? 8);
const s = new Session();
s.connect();
setTimeout(() => {
  s.post("HeapProfiler.startSampling", { samplingInterval: 512, includeObjectsCollectedByMinorGC: false, includeObjectsCollectedByMajorGC: true });
}, start).unref();
setTimeout(() => {
  s.post("HeapProfiler.stopSampling", (err, r) => {
    if (err) throw err;
    const byStack = new Map();
    let total = 0;
    const walk = (node, stack) => {
      const f = node.callFrame;
      const here = `${f.functionName || "(anon)"} ${f.url.replace(/^.*\/(node_modules|src|bench)\//, "$1/")}:${f.lineNumber + 1}`;
      const st = [here, ...stack].slice(0, depth);
      if (node.selfSize > 0) {
        const k = st.join(" < ");
        byStack.set(k, (byStack.get(k) ?? 0) + node.selfSize);
        total += node.selfSize;
      }
      for (const c of node.children) walk(c, [here, ...stack]);
    };
    walk(r.profile.head, []);
    const rows = [...byStack].sort((a, b) => b[1] - a[1]).slice(0, top);
    process.stderr.write(`SURVIVORS total sampled ${total} B\n`);
    for (const [k, v] of rows) process.stderr.write(`${String(v).padStart(10)} ${k}\n`);
  });
}, stop).unref();
