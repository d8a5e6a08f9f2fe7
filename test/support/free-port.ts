// Test support: a loopback TCP port that was free a moment ago (the OS picked it for a listener on
// port 0, which then closed), for a server a test starts later or a peer that must not answer.
import * as net from "node:net";

/** A port on 127.0.0.1 nothing listens on (until the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
