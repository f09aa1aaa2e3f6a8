import { afterEach, describe, expect, it } from "vitest";
import { advanceClock, setClock } from "../../src/lib/clock";
import { IsolateCache } from "../../src/lib/isolate-cache";

describe("a per-isolate cache", () => {
  afterEach(() => setClock(null));

  it("trusts a value for its bound on the clock seam, then misses while peek still has it", () => {
    setClock("2026-12-07T00:00:00Z");
    const c = new IsolateCache<number>(10_000, 10);
    c.set("a", 1);
    advanceClock(9_000);
    expect(c.get("a")).toBe(1);
    advanceClock(2_000);
    expect(c.get("a")).toBeUndefined();
    expect(c.peek("a")).toBe(1);
  });

  it("misses when the clock moved backwards, and drops the least recently stored past its size", () => {
    setClock("2026-12-07T00:00:00Z");
    const c = new IsolateCache<number>(10_000, 2);
    c.set("a", 1);
    advanceClock(-5_000);
    expect(c.get("a")).toBeUndefined();
    c.set("b", 2);
    c.set("c", 3);
    c.set("a", 4);
    expect([c.peek("a"), c.peek("b"), c.peek("c")]).toEqual([4, undefined, 3]);
  });
});
