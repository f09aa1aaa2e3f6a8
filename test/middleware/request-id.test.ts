import { describe, expect, it } from "vitest";
import { newRequestId } from "../../src/middleware/request-context";

describe("request ids", () => {
  it("are distinct, plain and short however many one isolate makes", () => {
    const ids = Array.from({ length: 10_000 }, () => newRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [ids[0]!, ids.at(-1)!]) expect(id).toMatch(/^req_[A-Za-z0-9_-]{12}[0-9a-z]+$/);
    expect(ids.at(-1)!.length).toBeLessThanOrEqual(24);
  });
});
