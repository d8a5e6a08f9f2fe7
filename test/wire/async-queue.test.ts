import { describe, expect, it } from "vitest";
import { AsyncQueue, type QueueOwner } from "../../src/wire/async-queue.js";

class Owner implements QueueOwner<number> {
  events: string[] = [];
  pause(): void {
    this.events.push("pause");
  }
  resume(): void {
    this.events.push("resume");
  }
}

class Transforming extends Owner {
  taken(m: number): number {
    return m * 10;
  }
}

describe("AsyncQueue", () => {
  it("delivers pushed and pending items in order, transformed as taken, then ends", async () => {
    const q = new AsyncQueue<number>(16, new Transforming());
    q.push(1);
    expect(await q.next()).toEqual({ value: 10, done: false });
    const waiting = q.next();
    q.push(2);
    expect(await waiting).toEqual({ value: 20, done: false });
    q.push(3);
    q.close();
    const got: number[] = [];
    for await (const m of q) got.push(m);
    expect(got).toEqual([30]);
  });

  it("pauses its owner at the high-water mark and resumes at half", async () => {
    const owner = new Owner();
    const q = new AsyncQueue<number>(16, owner);
    for (let i = 0; i < 40; i++) q.push(i);
    expect(owner.events).toEqual(["pause"]);
    for (let i = 0; i < 31; i++) await q.next();
    expect(owner.events).toEqual(["pause"]); // 9 left: still above half the high-water mark
    await q.next();
    expect(owner.events).toEqual(["pause", "resume"]);
  });

  it("close(error) delivers the queued items first; abort(error) drops them", async () => {
    const a = new AsyncQueue<number>(4);
    a.push(1);
    a.close(new Error("late"));
    expect(await a.next()).toEqual({ value: 1, done: false });
    await expect(a.next()).rejects.toThrow("late");
    const b = new AsyncQueue<number>(4);
    const waiting = b.next();
    const err = new Error("cancelled");
    b.abort(err);
    await expect(waiting).rejects.toBe(err);
    b.push(1);
    await expect(b.next()).rejects.toBe(err);
  });

  it("abort after a clean close: items not yet taken are gone, so the consumer gets the error", async () => {
    const q = new AsyncQueue<number>(4);
    q.push(1);
    q.close();
    q.abort(new Error("cancelled"));
    await expect(q.next()).rejects.toThrow("cancelled");
  });

  it("write resolves when taken and rejects when aborted", async () => {
    const q = new AsyncQueue<string>(1);
    const w1 = q.write("a");
    expect(await q.next()).toEqual({ value: "a", done: false });
    await w1;
    const w2 = q.write("b");
    q.abort(new Error("gone"));
    await expect(w2).rejects.toThrow("gone");
    await expect(q.write("c")).rejects.toThrow("gone");
  });

  it("return() drops what is queued, resumes a paused owner and tells it the consumer left", async () => {
    const owner = new Owner();
    let stopped = 0;
    const q = new AsyncQueue<number>(16, Object.assign(owner, { stopped: () => stopped++ }));
    for (let i = 0; i < 20; i++) q.push(i);
    for await (const m of q) {
      expect(m).toBe(0);
      break;
    }
    expect(owner.events).toEqual(["pause", "resume"]);
    expect(stopped).toBe(1);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it("a throwing transform rejects that next()", async () => {
    const q = new AsyncQueue<number>(16, {
      pause() {},
      resume() {},
      taken() {
        throw new Error("bad message");
      },
    });
    q.push(1);
    await expect(q.next()).rejects.toThrow("bad message");
  });
});
