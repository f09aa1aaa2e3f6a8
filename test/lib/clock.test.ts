import { afterEach, describe, expect, it } from "vitest";
import { suiteClock } from "../setup/clock";
import { advanceClock, configureClock, now, nowIso, nowMs, setClock, today } from "../../src/lib/clock";

afterEach(() => setClock(null));

describe("the clock seam", () => {
  it("reads the machine's clock when nothing moved it", () => {
    setClock(null);
    const before = Date.now();
    const read = nowMs();
    expect(read).toBeGreaterThanOrEqual(before);
    expect(read).toBeLessThanOrEqual(Date.now());
  });

  it("stands at the instant a test sets, and runs on from there", () => {
    setClock("2027-02-01T00:00:00Z");
    expect(today()).toBe("2027-02-01");
    expect(nowIso().startsWith("2027-02-01T00:00:0")).toBe(true);
    const at = nowMs();
    expect(at).toBeGreaterThanOrEqual(Date.parse("2027-02-01T00:00:00Z"));
    expect(now().getTime()).toBeGreaterThanOrEqual(at);
  });

  it("moves forward by what a test advances, without a sleep", () => {
    setClock("2026-12-31T23:59:00Z");
    advanceClock(120_000);
    expect(today()).toBe("2027-01-01");
  });

  it("goes back to the machine's clock when reset", () => {
    setClock("2001-01-01T00:00:00Z");
    setClock(null);
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
  });

  it("refuses an instant that is not a date", () => {
    expect(() => setClock("soon")).toThrow(/not a date/);
  });
});

describe("configureClock", () => {
  afterEach(() => configureClock({}));

  it("moves the clock to CLOCK_AT in dev, once, and leaves it running", () => {
    configureClock({ CLOCK_AT: "2027-03-01T12:00:00Z", ENVIRONMENT: "development" });
    expect(today()).toBe("2027-03-01");
    advanceClock(86_400_000);
    configureClock({ CLOCK_AT: "2027-03-01T12:00:00Z", ENVIRONMENT: "development" });
    expect(today()).toBe("2027-03-02");
  });

  it("ignores CLOCK_AT where ENVIRONMENT is production", () => {
    const before = nowMs();
    configureClock({ CLOCK_AT: "2040-01-01T00:00:00Z", ENVIRONMENT: "production" });
    expect(nowMs() - before).toBeLessThan(1000);
    expect(today() < "2040-01-01").toBe(true);
  });

  it("refuses a CLOCK_AT that is not an instant", () => {
    expect(() => configureClock({ CLOCK_AT: "next tuesday", ENVIRONMENT: "development" })).toThrow(/CLOCK_AT/);
  });
});

describe("the suite's clock", () => {
  it("starts each test at TEST_CLOCK_AT when the suite is run with it", () => {
    if (suiteClock) expect(Math.abs(nowMs() - Date.parse(suiteClock))).toBeLessThan(60_000);
    else expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
  });
});
