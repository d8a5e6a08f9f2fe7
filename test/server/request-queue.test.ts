import { describe, expect, it } from "vitest";
import { RequestQueue, type QueueSource } from "../../src/server/request-queue.js";

class Source implements QueueSource<number> {
  paused = 0;
  resumed = 0;
  pauseReading(): void {
    this.paused++;
  }
  resumeReading(): void {
    this.resumed++;
  }
  transformRequest(m: number): number {
    return m * 10;
  }
}

describe("RequestQueue", () => {
  it("delivers pushed and pending messages in order, transformed, then ends", async () => {
    const src = new Source();
    const q = new RequestQueue<number>(src);
    q.push(1);
    const pending = q.next();
    expect(await pending).toEqual({ value: 10, done: false });
    const waiting = q.next();
    q.push(2);
    expect(await waiting).toEqual({ value: 20, done: false });
    q.push(3);
    q.end();
    const got: number[] = [];
    for await (const m of q) got.push(m);
    expect(got).toEqual([30]);
  });

  it("pauses the source at the high-water mark and resumes when drained", async () => {
    const src = new Source();
    const q = new RequestQueue<number>(src);
    for (let i = 0; i < 40; i++) q.push(i);
    expect(src.paused).toBe(1);
    for (let i = 0; i < 31; i++) await q.next();
    expect(src.resumed).toBe(0); // 9 left: still above half the high-water mark
    await q.next();
    expect(src.resumed).toBe(1);
  });

  it("rejects a waiting and later next() after fail, and ignores pushes", async () => {
    const q = new RequestQueue<number>(new Source());
    const waiting = q.next();
    const err = new Error("cancelled");
    q.fail(err);
    await expect(waiting).rejects.toBe(err);
    q.push(1);
    await expect(q.next()).rejects.toBe(err);
  });

  it("return() stops delivery and resumes a paused source", async () => {
    const src = new Source();
    const q = new RequestQueue<number>(src);
    for (let i = 0; i < 20; i++) q.push(i);
    for await (const m of q) {
      expect(m).toBe(0);
      break;
    }
    expect(src.resumed).toBe(1);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it("a throwing transform rejects that next()", async () => {
    const q = new RequestQueue<number>({
      pauseReading() {},
      resumeReading() {},
      transformRequest() {
        throw new Error("bad message");
      },
    });
    q.push(1);
    await expect(q.next()).rejects.toThrow("bad message");
  });
});
