// Test support: a child process that makes one unary call with our client and prints the answer; used to check a pending call keeps the process alive.
import { Channel, Client } from "../../src/client/index.js";
import { Methods } from "./client-echo.js";

const target = process.argv[2];
const text = process.argv[3];
// Optional: a service config (JSON), "wfr" for a waitForReady call, and a timeout in ms.
const serviceConfig = process.argv[4];
const ch = new Channel(target, serviceConfig === undefined || serviceConfig === "" ? {} : { serviceConfig, backoff: { initialBackoffMs: 50 } });
new Client(ch).unary(Methods.unary, { text, n: 0 }, { waitForReady: process.argv[5] === "wfr", ...(process.argv[6] === undefined ? {} : { timeoutMs: Number(process.argv[6]) }) }).then(
  (r) => {
    process.stdout.write(`answer:${r.text}\n`);
    void ch.close();
  },
  (err: unknown) => {
    process.stdout.write(`error:${String(err)}\n`);
    void ch.close();
  },
);
