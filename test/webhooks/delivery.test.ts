import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { deliverWebhook, MAX_WEBHOOK_ATTEMPTS, nextWebhookDelayMs, type DeliveryResult } from "../../src/webhooks/delivery";
import type { JobWebhookEvent } from "../../src/webhooks/events";
import { newSigningSecret, signingKey } from "../../src/webhooks/signature";
import { capture, registerSecret } from "../helpers/secrets";

const SECRET = newSigningSecret();
registerSecret(SECRET);
const NOW_MS = 1_760_000_000_123;
const URL_ = "https://hooks.example.com/distillery?token=tenant-token";

const payload: JobWebhookEvent = {
  id: "evt_abc",
  type: "fine_tune.job.succeeded",
  created: 1_759_999_990,
  data: {
    job: {
      id: "ftj_1",
      state: "succeeded",
      provider: "openai",
      provider_job_id: "ftjob-xyz",
      fine_tuned_model: "ft:gpt-4.1-mini:acme::abc",
      error: null,
      dataset: "ds_1",
      base_model: "gpt-4.1-mini",
    },
  },
};

interface Recorded {
  url: string;
  init: RequestInit;
}

/** A fetch that records its call and answers with `respond()`. */
function fakeFetch(respond: () => Response | Promise<Response>) {
  const calls: Recorded[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return respond();
  }) as typeof fetch;
  return { fn, calls };
}

/** One delivery through a fake fetch; its result is also handed to the suite's secret-leak check. */
function deliver(respond: () => Response | Promise<Response>, extra: { timeoutMs?: number } = {}) {
  const fake = fakeFetch(respond);
  const result = deliverWebhook({
    url: URL_,
    secrets: [SECRET],
    event: payload,
    webhookId: `${payload.id}_wh_1`,
    fetch: fake.fn,
    now: () => NOW_MS,
    ...extra,
  }).then((r) => {
    capture("webhook delivery result", JSON.stringify(r));
    return r;
  });
  return { result, calls: fake.calls };
}

function expectNoSecret(result: DeliveryResult) {
  expect(JSON.stringify(result)).not.toContain(SECRET);
  expect(JSON.stringify(result)).not.toContain("tenant-token");
}

describe("deliverWebhook's request", () => {
  it("POSTs the JSON payload once with the content type, user agent, webhook id and no redirect following", async () => {
    const { result, calls } = deliver(() => new Response("ok"));
    expect(await result).toEqual({ ok: true, status: 200 });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.url).toBe(URL_);
    expect(call!.init.method).toBe("POST");
    expect(call!.init.redirect).toBe("manual");
    expect(call!.init.signal).toBeInstanceOf(AbortSignal);
    expect(JSON.parse(call!.init.body as string)).toEqual(payload);
    const headers = new Headers(call!.init.headers);
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("user-agent")).toBe("Distillery-Webhooks/1");
    expect(headers.get("webhook-id")).toBe("evt_abc_wh_1");
  });

  it("signs the exact body sent, timestamped with the clock in seconds", async () => {
    const { result, calls } = deliver(() => new Response(null, { status: 204 }));
    await result;
    const init = calls[0]!.init;
    const headers = new Headers(init.headers);
    expect(headers.get("webhook-timestamp")).toBe("1760000000");
    expect(headers.get("webhook-signature")).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    // Verified by the maintained implementation, over the bytes sent (its own clock check aside).
    const signed = (secret: string) =>
      new Webhook(signingKey(secret), { format: "raw" }).sign(headers.get("webhook-id")!, new Date(1_760_000_000_000), init.body as string);
    expect(headers.get("webhook-signature")).toBe(signed(SECRET));
    expect(headers.get("webhook-signature")).not.toBe(signed(newSigningSecret()));
  });

  it("never sends the secret itself", async () => {
    const { result, calls } = deliver(() => new Response("ok"));
    await result;
    const init = calls[0]!.init;
    expect(JSON.stringify([...new Headers(init.headers)])).not.toContain(SECRET);
    expect(init.body as string).not.toContain(SECRET);
  });
});

describe("deliverWebhook's result", () => {
  it.each([200, 201, 202, 204, 299])("is ok for HTTP %i", async (status) => {
    const { result } = deliver(() => new Response(null, { status }));
    expect(await result).toEqual({ ok: true, status });
  });

  it.each([500, 502, 503, 504, 429, 408])("is a retryable failure for HTTP %i", async (status) => {
    const { result } = deliver(() => new Response("nope", { status }));
    const r = await result;
    expect(r).toEqual({ ok: false, retryable: true, status, error: `HTTP ${status}` });
    expectNoSecret(r);
  });

  it.each([400, 401, 403, 404, 410, 413, 422])("is a final failure for HTTP %i", async (status) => {
    const { result } = deliver(() => new Response("nope", { status }));
    const r = await result;
    expect(r).toEqual({ ok: false, retryable: false, status, error: `HTTP ${status}` });
    expectNoSecret(r);
  });

  it.each([301, 302, 307, 308])("is a final failure for a redirect (HTTP %i), which is not followed", async (status) => {
    const { result, calls } = deliver(
      () => new Response(null, { status, headers: { location: "https://169.254.169.254/latest/meta-data/" } }),
    );
    const r = await result;
    expect(r).toMatchObject({ ok: false, retryable: false, status });
    expect(r.ok === false && r.error).toContain("redirect");
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(r)).not.toContain("169.254");
  });

  it("is a retryable failure without a status when the network fails", async () => {
    const { result } = deliver(() => {
      throw new TypeError("Network connection lost.");
    });
    const r = await result;
    expect(r).toEqual({ ok: false, retryable: true, error: "network error: TypeError: Network connection lost." });
  });

  it("keeps the secret out of a network error that happens to carry it", async () => {
    const { result } = deliver(() => {
      throw new Error(`proxy refused header with ${SECRET}`);
    });
    const r = await result;
    expect(r).toMatchObject({ ok: false, retryable: true });
    expectNoSecret(r);
    expect(r.ok === false && r.error).toContain("[redacted]");
  });

  it("aborts a request that outlives the timeout and reports a retryable timeout", async () => {
    let aborted = false;
    const neverAnswers = (async (_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => {
          aborted = true;
          reject(new DOMException("The operation was aborted.", "AbortError"));
        });
      })) as typeof fetch;
    const r = await deliverWebhook({
      url: URL_,
      secrets: [SECRET],
      event: payload,
      webhookId: payload.id,
      fetch: neverAnswers,
      timeoutMs: 5,
    });
    expect(aborted).toBe(true);
    expect(r).toEqual({ ok: false, retryable: true, error: "timed out after 5 ms" });
  });
});

describe("nextWebhookDelayMs", () => {
  it("allows eight attempts in all, then gives up", () => {
    expect(MAX_WEBHOOK_ATTEMPTS).toBe(8);
    for (let attempt = 1; attempt < MAX_WEBHOOK_ATTEMPTS; attempt++) {
      expect(nextWebhookDelayMs(attempt, () => 0.5)).not.toBeNull();
    }
    expect(nextWebhookDelayMs(MAX_WEBHOOK_ATTEMPTS)).toBeNull();
    expect(nextWebhookDelayMs(MAX_WEBHOOK_ATTEMPTS + 5)).toBeNull();
  });

  it("draws under a ceiling that starts at 30 s and doubles per attempt (full jitter)", () => {
    const almostOne = () => 0.999_999_9;
    const ceilings = [30, 60, 120, 240, 480, 960, 1920].map((s) => s * 1000);
    ceilings.forEach((ceiling, i) => {
      const high = nextWebhookDelayMs(i + 1, almostOne)!;
      expect(high).toBeLessThan(ceiling);
      expect(high).toBeGreaterThan(ceiling * 0.999);
      expect(nextWebhookDelayMs(i + 1, () => 0.5)).toBe(ceiling / 2);
    });
  });

  it("never waits less than a second or more than an hour", () => {
    for (let attempt = 1; attempt < MAX_WEBHOOK_ATTEMPTS; attempt++) {
      expect(nextWebhookDelayMs(attempt, () => 0)).toBe(1000);
      expect(nextWebhookDelayMs(attempt, () => 0.999_999_9)).toBeLessThanOrEqual(3_600_000);
      for (let i = 0; i < 20; i++) {
        const d = nextWebhookDelayMs(attempt)!;
        expect(d).toBeGreaterThanOrEqual(1000);
        expect(d).toBeLessThan(30_000 * 2 ** (attempt - 1));
      }
    }
  });

  it("refuses an attempt number below one or not whole", () => {
    expect(() => nextWebhookDelayMs(0)).toThrow(RangeError);
    expect(() => nextWebhookDelayMs(1.5)).toThrow(RangeError);
  });
});
