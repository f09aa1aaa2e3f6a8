/**
 * Pacing provider calls by the provider's allowance. A fan-out (the label consumer now) runs its
 * work inside `withPacing`; every inference call made inside it, however deep (retrieval's
 * embedding, the teacher's chat calls), first takes a slot from the ProviderLimiter of its key
 * and reports its headers after. The context travels with the async call chain
 * (AsyncLocalStorage), so the call sites — and the modules that own them — stay as they are;
 * outside a pacing context calls go straight out, as before.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Ask, Grant, LeaseAsk, LeaseGrant, Observation, Priority } from "../durable/provider-limiter/allowance";
import type { Bindings } from "../env";
import { nowMs } from "../lib/clock";
import { sha256Hex } from "../lib/ids";
import { liveLease } from "./live-lease";
import { retryAfterMs } from "./provider-errors";
import type { FetchLike } from "./providers";

/** Whoever answers asks for one provider key: the ProviderLimiter object (or a test double). */
export type LimiterFor = (key: string) => Limiter;
export interface Limiter {
  /** Batch work: slots call by call. */
  ask(a: Ask): Promise<Grant>;
  /** Live requests: this isolate's lease of interactive slots (live-lease.ts). */
  lease(l: LeaseAsk): Promise<LeaseGrant>;
}

export interface PacingContext {
  tenant: string;
  /**
   * `interactive` for a live request (it may use the limiter's reserved share, and a saturated
   * fan-out never makes it wait); `background` (the default) for labeling, evals, shadowing.
   */
  priority?: Priority;
  /** The same as `priority: "interactive"` (the older spelling). */
  interactive?: boolean;
  limiterFor: LimiterFor;
  /**
   * A live request passes its `waitUntil`: the last reports then reach the limiter after the
   * response, instead of the response waiting for them.
   */
  waitUntil?: (p: Promise<unknown>) => void;
}

/** The ProviderLimiter objects of an env, one per provider key. */
export function providerLimiters(env: Pick<Bindings, "PROVIDER_LIMITER">): LimiterFor {
  return (key) => env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName(key));
}

/**
 * The pacing of a live request (the serving routes): interactive priority on the provider keys'
 * limiters, reports sent after the response. Use as `withPacing(livePacing(env, tenant, ctx), fn)`.
 */
export function livePacing(env: Pick<Bindings, "PROVIDER_LIMITER">, tenant: string, ctx?: { waitUntil(p: Promise<unknown>): void }): PacingContext {
  return { tenant, priority: "interactive", limiterFor: providerLimiters(env), ...(ctx ? { waitUntil: (p) => ctx.waitUntil(p) } : {}) };
}

interface Scope extends PacingContext {
  gates: Map<string, Gate>;
}

const scope = new AsyncLocalStorage<Scope>();

/** Runs `fn` with its provider calls paced; reports what is still unreported when it ends. */
export async function withPacing<T>(ctx: PacingContext, fn: () => Promise<T>): Promise<T> {
  const s: Scope = { ...ctx, gates: new Map() };
  try {
    return await scope.run(s, fn);
  } finally {
    const flushed = Promise.all([...s.gates.values()].map((g) => g.flush()));
    if (ctx.waitUntil) ctx.waitUntil(flushed);
    else await flushed;
  }
}

/** The limiter's name for a provider key: the provider and a hash of base URL + key, never the key. */
export async function limiterKey(provider: string, baseURL: string, apiKey: string): Promise<string> {
  return `${provider}:${(await sha256Hex(`${baseURL}\n${apiKey}`)).slice(0, 24)}`;
}

/** Limiter names by provider, base URL and key, per isolate: endpoints are resolved per request. */
const limiterKeys = new Map<string, Promise<string>>();

/** `fetch` for one endpoint, paced when called inside `withPacing`. */
export function pacedFetch(fetch: FetchLike, endpoint: { provider: string; baseURL: string; apiKey: string }): FetchLike {
  return async (input, init) => {
    const s = scope.getStore();
    if (!s) return fetch(input, init);
    const id = `${endpoint.provider}\n${endpoint.baseURL}\n${endpoint.apiKey}`;
    let key = limiterKeys.get(id);
    if (!key) {
      // A handful of provider keys per deployment; the bound only guards against a runaway.
      if (limiterKeys.size >= 256) limiterKeys.clear();
      limiterKeys.set(id, (key = limiterKey(endpoint.provider, endpoint.baseURL, endpoint.apiKey)));
    }
    const k = await key;
    if ((s.priority ?? (s.interactive ? "interactive" : "background")) === "interactive") return leasedFetch(fetch, s, k, input, init);
    let gate = s.gates.get(k);
    if (!gate) s.gates.set(k, (gate = new Gate(s.limiterFor(k), s.tenant, s.priority ?? (s.interactive ? "interactive" : "background"))));
    const tokens = estimateTokens(init?.body);
    await gate.take();
    const t0 = nowMs();
    try {
      const res = await fetch(input, init);
      gate.report(outcome(res, nowMs() - t0, tokens));
      return res;
    } catch (err) {
      gate.report({ ms: nowMs() - t0, tokens });
      throw err;
    }
  };
}

/** A live call: a slot from this isolate's lease, its report kept for the lease's next ask. */
async function leasedFetch(fetch: FetchLike, s: Scope, key: string, input: Parameters<FetchLike>[0], init: Parameters<FetchLike>[1]): Promise<Response> {
  const lease = liveLease(key);
  const limiter = s.limiterFor(key);
  const defer = s.waitUntil ?? ((p: Promise<unknown>) => void p);
  const tokens = estimateTokens(init?.body);
  await lease.take(limiter, defer);
  const t0 = nowMs();
  try {
    const res = await fetch(input, init);
    lease.release(limiter, outcome(res, nowMs() - t0, tokens), defer);
    return res;
  } catch (err) {
    lease.release(limiter, { ms: nowMs() - t0, tokens }, defer);
    throw err;
  }
}

/** What a call that answered tells its limiter: the headers, and whether it was refused (429). */
function outcome(res: Response, ms: number, tokens: number): Observation {
  const limited = res.status === 429;
  return { ...observe(res.headers), limited, ...(limited ? { retryAfterMs: retryAfterMs(res.headers) } : {}), ms, tokens };
}

/** The x-ratelimit-* headers OpenAI, Together and Fireworks send (absent fields when not sent). */
export function observe(h: Headers): Omit<Observation, "ms" | "tokens"> {
  const n = (name: string) => {
    const v = Number.parseInt(h.get(name) ?? "", 10);
    return Number.isFinite(v) ? v : undefined;
  };
  const o: Omit<Observation, "ms" | "tokens"> = {};
  const fields = {
    limitRequests: n("x-ratelimit-limit-requests"),
    remainingRequests: n("x-ratelimit-remaining-requests"),
    limitTokens: n("x-ratelimit-limit-tokens"),
    remainingTokens: n("x-ratelimit-remaining-tokens"),
    resetRequestsMs: duration(h.get("x-ratelimit-reset-requests")),
    resetTokensMs: duration(h.get("x-ratelimit-reset-tokens")),
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (o as Record<string, number>)[k] = v;
  return o;
}

/** A duration as OpenAI writes x-ratelimit-reset-*: "120ms", "1.5s", "6m0s" (ms), or undefined. */
export function duration(v: string | null): number | undefined {
  if (!v) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  let seen = false;
  for (const [, n, u] of v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(n) * unit[u!]!;
    seen = true;
  }
  return seen ? Math.ceil(ms) : undefined;
}

/** Tokens a request will be charged, as providers estimate it: its text ÷ 4, plus the output cap. */
function estimateTokens(body: unknown): number {
  if (typeof body !== "string") return 0;
  const cap = /"max(?:_completion)?_tokens"\s*:\s*(\d+)/.exec(body);
  return Math.ceil(body.length / 4) + (cap ? Number(cap[1]) : 0);
}

/**
 * One invocation's side of a limiter: calls queue here; one ask at a time carries every waiting
 * call and every finished call's report, so the limiter sees few round trips however many calls.
 */
class Gate {
  #waiters: Array<() => void> = [];
  #reports: Observation[] = [];
  #pumping = false;
  #wake: (() => void) | null = null;

  constructor(
    private readonly limiter: Pick<Limiter, "ask">,
    private readonly tenant: string,
    private readonly priority: Priority,
  ) {}

  take(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#pump();
    });
  }

  report(o: Observation): void {
    this.#reports.push(o);
    // A finished call may free a slot: ask again now rather than at the end of the wait.
    this.#wake?.();
  }

  async flush(): Promise<void> {
    if (this.#reports.length === 0 || this.#pumping) return;
    await this.limiter.ask({ tenant: this.tenant, want: 0, priority: this.priority, reports: this.#reports.splice(0) }).catch(() => undefined);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return this.#wake?.();
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0) {
        const want = this.#waiters.length;
        const grant = await this.limiter.ask({ tenant: this.tenant, want, priority: this.priority, reports: this.#reports.splice(0) });
        for (const resolve of this.#waiters.splice(0, grant.granted)) resolve();
        if (this.#waiters.length === 0) break;
        // Calls that queued during the ask: ask for them at once.
        if (grant.granted >= want) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(Math.max(grant.waitMs, 20), 5_000));
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    } catch {
      // The limiter unreachable: let the calls go (the provider's 429 still protects it).
      for (const resolve of this.#waiters.splice(0)) resolve();
    } finally {
      this.#pumping = false;
      this.#wake = null;
    }
  }
}
