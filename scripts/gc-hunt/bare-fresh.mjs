// Bare node:http2 server (modes a: headers only, b: body, c: body+trailers); argv[2]=N>0 copies the session's streams Map / pendingStreams Set every N streams. Print PORT; drive with h2load.
import http2 from "node:http2";
const N = +(process.argv[2] ?? 0); const mode = process.argv[3] ?? "a";
const BODY = Buffer.alloc(20, 1);
let kState;
const counts = new WeakMap();
const srv = http2.createServer();
srv.on("stream", (s) => {
  if (N > 0) {
    const session = s.session;
    kState ??= Object.getOwnPropertySymbols(session).find((x) => x.description === "state");
    const c = (counts.get(session) ?? 0) + 1;
    if (c >= N) {
      const st = session[kState];
      st.streams = new st.streams.constructor(st.streams);
      st.pendingStreams = new st.pendingStreams.constructor(st.pendingStreams);
      counts.set(session, 0);
    } else counts.set(session, c);
  }
  s.on("data", () => {});
  s.on("end", () => {
    if (mode === "a") s.respond({ ":status": 200 }, { endStream: true });
    else if (mode === "b") { s.respond({ ":status": 200 }); s.end(BODY); }
    else { s.respond({ ":status": 200 }, { waitForTrailers: true }); s.on("wantTrailers", () => s.sendTrailers({ "grpc-status": "0" })); s.end(BODY); }
  });
});
srv.listen(0, "127.0.0.1", () => console.log("PORT", srv.address().port));
