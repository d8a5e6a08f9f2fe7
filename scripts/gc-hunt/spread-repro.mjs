// Pure-JS repro: an object-spread clone that then gets properties added (what node:http2 request() does to its options) outlives young GCs.
//   for m in short nospread assign one full; do node --trace-gc-nvp scripts/gc-hunt/spread-repro.mjs $m | awk '/gc=s /{n++; for(i=1;i<=NF;i++){split($i,a,"="); if(a[1]=="promoted")p+=a[2]}} /gc=mc/{mc++} END{print n, "scavenges", mc+0, "mark-compacts", p/2e6, "B promoted per iteration"}'; done
// node 20.20.2: short (spread, then 4 properties added) 254 B and 48 mark-compacts; one (1 added) 56 B; nospread, assign (Object.assign) and full (nothing to add) 0.1 B, none.
const mode = process.argv[2];
const FULL = { endStream: false, weight: 16, parent: 0, exclusive: false, silent: false };
function validate(options) {
  if (options.weight === undefined) options.weight = 16;
  if (options.parent === undefined) options.parent = 0;
  if (options.exclusive === undefined) options.exclusive = false;
  if (options.silent === undefined) options.silent = false;
}
let sink = 0;
const live = [];
for (let i = 0; i < 2_000_000; i++) {
  let options = mode === "full" ? FULL : { endStream: false };
  if (mode === "nospread") options = { endStream: false };
  else if (mode === "assign") options = Object.assign({}, options);
  else if (mode === "one") { options = { ...options }; options.weight = 1; }
  else options = { ...options };
  if (mode !== "one") validate(options);
  const held = { options, pad: new Array(16).fill(i) };
  live.push(held); if (live.length > 16) live.shift();
  sink += options.weight;
}
console.error(mode, sink > 0);
