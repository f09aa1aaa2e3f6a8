import OpenAI from "openai";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newSigningSecret, signingKey, webhookHeaders } from "../../src/webhooks/signature";

const SECRET = newSigningSecret();
const BODY = JSON.stringify({ id: "evt_1", type: "fine_tune.job.succeeded", note: "ünïcode ✓" });
const MSG = "evt_1_wh_1";
/** Verifiers check the timestamp against the real clock: signatures are timestamped with it. */
const nowSeconds = () => Math.floor(Date.now() / 1000);
const openai = new OpenAI({ apiKey: "sk-unused" });

describe("newSigningSecret", () => {
  it("is whsec_ and 32 random bytes as base64", () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(signingKey(secret)).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(secret);
  });
});

describe("webhookHeaders", () => {
  it("writes webhook-id, webhook-timestamp and v1,<base64 HMAC-SHA256> of `<id>.<timestamp>.<body>` keyed by the decoded secret", async () => {
    const t = 1_760_000_000;
    const headers = webhookHeaders(MSG, t, BODY, [SECRET]);
    const key = await crypto.subtle.importKey("raw", signingKey(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${MSG}.${t}.${BODY}`)));
    expect(headers).toEqual({
      "webhook-id": MSG,
      "webhook-timestamp": String(t),
      "webhook-signature": `v1,${btoa(String.fromCharCode(...mac))}`,
    });
  });

  it("verifies with the openai SDK's webhooks.unwrap() and with standardwebhooks", async () => {
    const headers = webhookHeaders(MSG, nowSeconds(), BODY, [SECRET]);
    expect(await openai.webhooks.unwrap(BODY, headers, SECRET)).toEqual(JSON.parse(BODY));
    expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it("does not verify a changed body, another secret, another message id or a moved timestamp", async () => {
    const t = nowSeconds();
    const headers = webhookHeaders(MSG, t, BODY, [SECRET]);
    await expect(openai.webhooks.unwrap(BODY.replace("evt_1", "evt_2"), headers, SECRET)).rejects.toThrow(/signature/);
    await expect(openai.webhooks.unwrap(BODY, headers, newSigningSecret())).rejects.toThrow(/signature/);
    await expect(openai.webhooks.unwrap(BODY, { ...headers, "webhook-id": "evt_1_wh_2" }, SECRET)).rejects.toThrow(/signature/);
    await expect(openai.webhooks.unwrap(BODY, { ...headers, "webhook-timestamp": String(t + 1) }, SECRET)).rejects.toThrow(/signature/);
    expect(() => new Webhook(SECRET).verify(`${BODY} `, headers)).toThrow();
  });

  it("signs with every secret given while one is rotated, so either secret verifies", async () => {
    const next = newSigningSecret();
    const headers = webhookHeaders(MSG, nowSeconds(), BODY, [next, SECRET]);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(await openai.webhooks.unwrap(BODY, headers, next)).toEqual(JSON.parse(BODY));
    expect(await openai.webhooks.unwrap(BODY, headers, SECRET)).toEqual(JSON.parse(BODY));
    expect(new Webhook(SECRET).verify(BODY, headers)).toBeTruthy();
  });

  it("reads a secret issued before the format changed (base64url, unpadded) as the same bytes", () => {
    const standard = newSigningSecret();
    const legacy = standard.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(signingKey(legacy)).toEqual(signingKey(standard));
    expect(webhookHeaders(MSG, 1, BODY, [legacy])).toEqual(webhookHeaders(MSG, 1, BODY, [standard]));
  });

  it("refuses a timestamp that is not whole seconds, and no secret at all", () => {
    expect(() => webhookHeaders(MSG, 1.5, BODY, [SECRET])).toThrow(RangeError);
    expect(() => webhookHeaders(MSG, -1, BODY, [SECRET])).toThrow(RangeError);
    expect(() => webhookHeaders(MSG, 1, BODY, [])).toThrow(RangeError);
  });
});
