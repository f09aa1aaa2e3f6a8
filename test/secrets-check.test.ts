import { describe, expect, it } from "vitest";
import { assertNoSecretLeaked, capture, registerSecret } from "./helpers/secrets";

describe("the suite-wide secret check", () => {
  it("fails when a captured log line or body contains a registered secret", () => {
    registerSecret("dk_pretend-secret-for-the-check-itself");
    capture("console.log", '{"msg":"oops","key":"dk_pretend-secret-for-the-check-itself"}');
    expect(() => assertNoSecretLeaked()).toThrow(/Secret leaked/);
  });

  it("passes when nothing secret was written", () => {
    capture("console.log", '{"msg":"fine"}');
    expect(() => assertNoSecretLeaked()).not.toThrow();
  });
});
