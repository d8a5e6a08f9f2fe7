// Test support: a child process that makes one unary call with our client and prints the answer; used to check a pending call keeps the process alive.
import { Channel, Client } from "../../src/client/index.js";
import { Methods } from "./client-echo.js";

const target = process.argv[2];
const text = process.argv[3];
const ch = new Channel(target);
new Client(ch).unary(Methods.unary, { text, n: 0 }).then(
  (r) => {
    process.stdout.write(`answer:${r.text}\n`);
    void ch.close();
  },
  (err: unknown) => {
    process.stdout.write(`error:${String(err)}\n`);
    void ch.close();
  },
);
