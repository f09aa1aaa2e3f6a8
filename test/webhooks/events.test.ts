import { describe, expect, it } from "vitest";
import { isEventPattern, subscribes, WEBHOOK_EVENT_TYPES } from "../../src/webhooks/events";

describe("event patterns", () => {
  it("accepts *, every type, and a <prefix>.* that covers at least one type", () => {
    for (const p of ["*", ...WEBHOOK_EVENT_TYPES, "fine_tune.*", "fine_tune.job.*"]) expect(isEventPattern(p), p).toBe(true);
  });

  it("refuses a misspelt type, a prefix over no type, and partial words", () => {
    for (const p of ["fine_tune.job.succeded", "retraining.*", "fine.*", "fine_tune", "fine_tune.job", "", ".*", "**"]) {
      expect(isEventPattern(p), p).toBe(false);
    }
  });

  it("matches a type by name, by a prefix at a dot, or by *", () => {
    expect(subscribes(["fine_tune.job.failed"], "fine_tune.job.failed")).toBe(true);
    expect(subscribes(["fine_tune.job.failed"], "fine_tune.job.succeeded")).toBe(false);
    expect(subscribes(["fine_tune.*"], "fine_tune.job.succeeded")).toBe(true);
    expect(subscribes(["fine_tune.*"], "fine_tuned.thing")).toBe(false);
    expect(subscribes(["*"], "deployment.ready")).toBe(true);
    expect(subscribes([], "fine_tune.job.failed")).toBe(false);
  });
});
