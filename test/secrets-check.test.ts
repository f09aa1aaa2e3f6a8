import { describe, expect, it, vi } from "vitest";
import { logLine } from "../src/lib/log";
import { assertNoSecretLeaked, capture, CAPTURED_CONSOLE_LEVELS, registerSecret, watchConsole } from "./helpers/secrets";

const PRETEND = "dk_pretend-secret-for-the-check-itself";

describe("the suite-wide secret check", () => {
  it("fails when a captured log line or body contains a registered secret", () => {
    registerSecret(PRETEND);
    capture("console.log", `{"msg":"oops","key":"${PRETEND}"}`);
    expect(() => assertNoSecretLeaked()).toThrow(/Secret leaked/);
  });

  it("passes when nothing secret was written", () => {
    capture("console.log", '{"msg":"fine"}');
    expect(() => assertNoSecretLeaked()).not.toThrow();
  });

  it.each(["info", "warn", "error"] as const)("catches a secret in a logLine at level %s", (level) => {
    registerSecret(PRETEND);
    logLine(level, "oops", { key: PRETEND });
    expect(() => assertNoSecretLeaked()).toThrow(new RegExp(`Secret leaked:\\n\\S+ contains a secret`));
  });

  it.each(CAPTURED_CONSOLE_LEVELS)("catches a secret written with console.%s", (level) => {
    registerSecret(PRETEND);
    console[level]("oops", { key: PRETEND });
    expect(() => assertNoSecretLeaked()).toThrow(`console.${level} contains a secret`);
  });

  it.each(CAPTURED_CONSOLE_LEVELS)("cannot be switched off by a spy on console.%s", (level) => {
    expect(() => vi.spyOn(console, level).mockImplementation(() => {})).toThrow();
    registerSecret(PRETEND);
    console[level](PRETEND);
    expect(() => assertNoSecretLeaked()).toThrow(/Secret leaked/);
  });

  it("lets a test read the log at every level without replacing the capture", () => {
    const lines = watchConsole();
    logLine("info", "one");
    logLine("warn", "two");
    logLine("error", "three");
    expect(lines().map((l) => [l.level, JSON.parse(l.text).msg])).toEqual([
      ["log", "one"],
      ["warn", "two"],
      ["error", "three"],
    ]);
  });
});
