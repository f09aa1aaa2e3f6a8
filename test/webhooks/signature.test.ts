import { describe, expect, it } from "vitest";
import { newSigningSecret, parseSignatureHeader, signWebhook, verifyWebhook } from "../../src/webhooks/signature";

const SECRET = "whsec_test_0123456789abcdefghijklmnopqrstuvwxyz";
const T = 1_760_000_000;
const BODY = JSON.stringify({ id: "evt_1", type: "fine_tune.job.succeeded", note: "ünïcode ✓" });

describe("newSigningSecret", () => {
  it("is whsec_ and 32 random bytes as unpadded base64url", () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newSigningSecret()).not.toBe(secret);
  });
});

describe("signWebhook", () => {
  it("writes t=<seconds>,v1=<64 hex digits>", async () => {
    expect(await signWebhook(SECRET, T, BODY)).toMatch(new RegExp(`^t=${T},v1=[0-9a-f]{64}$`));
  });

  it("is the HMAC-SHA256 of `<t>.<body>` keyed by the whole secret, as a receiver would compute it", async () => {
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey("raw", enc.encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`${T}.${BODY}`));
    const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(await signWebhook(SECRET, T, BODY)).toBe(`t=${T},v1=${hex}`);
  });

  it("refuses a timestamp that is not whole seconds", async () => {
    await expect(signWebhook(SECRET, 1.5, BODY)).rejects.toThrow(RangeError);
    await expect(signWebhook(SECRET, -1, BODY)).rejects.toThrow(RangeError);
  });
});

describe("verifyWebhook", () => {
  it("accepts what signWebhook produced for the same secret and body", async () => {
    const header = await signWebhook(SECRET, T, BODY);
    expect(await verifyWebhook(SECRET, header, BODY, { now: T })).toBe(true);
  });

  it("accepts a fresh signature against the real clock by default", async () => {
    const header = await signWebhook(SECRET, Math.floor(Date.now() / 1000), BODY);
    expect(await verifyWebhook(SECRET, header, BODY)).toBe(true);
  });

  it("refuses a body changed by one character", async () => {
    const header = await signWebhook(SECRET, T, BODY);
    expect(await verifyWebhook(SECRET, header, BODY.replace("succeeded", "succeedex"), { now: T })).toBe(false);
    expect(await verifyWebhook(SECRET, header, `${BODY} `, { now: T })).toBe(false);
  });

  it("refuses a signature made with another secret", async () => {
    const header = await signWebhook(newSigningSecret(), T, BODY);
    expect(await verifyWebhook(SECRET, header, BODY, { now: T })).toBe(false);
  });

  it("refuses a timestamp moved without re-signing", async () => {
    const header = await signWebhook(SECRET, T, BODY);
    expect(await verifyWebhook(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, { now: T })).toBe(false);
  });

  it("refuses a tampered v1 value", async () => {
    const header = await signWebhook(SECRET, T, BODY);
    const last = header.at(-1) === "0" ? "1" : "0";
    expect(await verifyWebhook(SECRET, header.slice(0, -1) + last, BODY, { now: T })).toBe(false);
  });

  it("refuses a timestamp older or newer than the tolerance, and accepts one at its edge", async () => {
    const header = await signWebhook(SECRET, T, BODY);
    expect(await verifyWebhook(SECRET, header, BODY, { now: T + 300 })).toBe(true);
    expect(await verifyWebhook(SECRET, header, BODY, { now: T + 301 })).toBe(false);
    expect(await verifyWebhook(SECRET, header, BODY, { now: T - 301 })).toBe(false);
    expect(await verifyWebhook(SECRET, header, BODY, { now: T + 3600, toleranceSeconds: 3600 })).toBe(true);
  });

  it("accepts a header with several v1 values when any one matches (secret rotation)", async () => {
    const good = (await signWebhook(SECRET, T, BODY)).split(",v1=")[1]!;
    const other = (await signWebhook(newSigningSecret(), T, BODY)).split(",v1=")[1]!;
    expect(await verifyWebhook(SECRET, `t=${T},v1=${other},v1=${good}`, BODY, { now: T })).toBe(true);
    expect(await verifyWebhook(SECRET, `t=${T}, v0=${good}, v1=${other}`, BODY, { now: T })).toBe(false);
    expect(await verifyWebhook(SECRET, ` v1=${good.toUpperCase()} , t=${T} `, BODY, { now: T })).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["v1=abc", "no timestamp"],
    [`t=${T}`, "no v1"],
    [`t=${T},v1=`, "empty v1"],
    [`t=abc,v1=00`, "non-numeric timestamp"],
    [`t=${T},t=${T},v1=00`, "repeated timestamp"],
    ["garbage", "no key=value pairs"],
  ])("refuses a malformed header: %j (%s)", async (header) => {
    expect(await verifyWebhook(SECRET, header, BODY, { now: T })).toBe(false);
  });
});

describe("parseSignatureHeader", () => {
  it("reads t and every v1 value, ignoring other schemes and stray items", () => {
    expect(parseSignatureHeader(`t=${T},v1=aa,v0=bb,junk,v1=CC`)).toEqual({ timestamp: T, signatures: ["aa", "cc"] });
  });
});
