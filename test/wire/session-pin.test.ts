// src/wire/session-pin.ts: which streams pin their session. Only streams node tears down before the
// peer's END_STREAM may hold an unfinished header block (RFC 9113 §5.1), so only those are registered;
// ordinary calls must register none (a registration keeps the stream past young-generation GCs, which
// cost every call CPU). The safety side, no abort at GC, is test/robustness/torn-header-block.test.ts.
import { afterAll, beforeAll, expect, test } from "vitest";
import { clientMethods, type Client } from "../../src/client/index.js";
import { sessionPinsRegistered } from "../../src/wire/session-pin.js";
import { EchoService, echo, type EchoMessage } from "../support/echo-service.js";
import { startOurEcho, type OurEcho } from "../support/our-echo.js";

const M = clientMethods(EchoService);

let echoes: OurEcho;
let client: Client;
/** Resolves when the server has seen the current Bidi call's first message. */
let bidiStarted: () => void = () => {};
/** Resolves when the server's Bidi handler has ended (its request stream cancelled). */
let bidiEnded: () => void = () => {};

beforeAll(async () => {
  echoes = await startOurEcho({
    Bidi: async (requests: AsyncIterable<EchoMessage>) => {
      try {
        for await (const _ of requests) bidiStarted();
      } finally {
        bidiEnded();
      }
    },
  });
  client = echoes.client;
});

afterAll(() => echoes.close());

test("completed unary calls pin nothing, on either side", async () => {
  await client.unary(M.Unary, echo({ text: "warm" })); // the connection and its first stream
  const before = sessionPinsRegistered();
  for (let i = 0; i < 50; i++) expect(await client.unary(M.Unary, echo({ text: "x", count: i }))).toEqual(echo({ text: "x", count: i }));
  expect(sessionPinsRegistered()).toBe(before);
});

test("a call cancelled while both sides are open pins its stream", async () => {
  const before = sessionPinsRegistered();
  const started = new Promise<void>((r) => (bidiStarted = r));
  const ended = new Promise<void>((r) => (bidiEnded = r));
  const call = client.bidiStreaming(M.Bidi);
  await call.write(echo({ text: "a" }));
  await started;
  call.cancel();
  await ended;
  // The client's stream went before the server's END_STREAM, the server's before the client's.
  await expect.poll(() => sessionPinsRegistered() - before).toBe(2);
});
