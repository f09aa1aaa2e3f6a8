import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../../env";
import { Allowance, type Ask, type Grant, type LeaseAsk, type LeaseGrant } from "./allowance";

/** The window before anything is learned: what the old fixed LABEL_CONCURRENCY was. */
const INITIAL_WINDOW = 4;
/** A ceiling on calls in flight per provider key, whatever the headers say. */
const MAX_WINDOW = 256;

/**
 * One per provider key (provider + a hash of its base URL and key, never the key): grants call
 * slots to every fan-out that uses the key (labeling now; evals and live traffic next), learning
 * the allowance from the providers' own headers and 429s (see Allowance). State lives in memory
 * only: after an eviction it starts again from INITIAL_WINDOW and relearns from the next headers,
 * which costs a few slow seconds, not correctness (the provider's 429 stays the real limit).
 */
export class ProviderLimiter extends DurableObject<Bindings> {
  #allowance: Allowance;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.#allowance = new Allowance({ initialWindow: INITIAL_WINDOW, maxWindow: MAX_WINDOW, reserve: interactiveShare(env) });
  }

  /** Reports finished calls and asks for up to `want` more: one round trip for both. */
  ask(a: Ask): Grant {
    return this.#allowance.ask(a, Date.now());
  }

  /** Reports an isolate's live calls and sets its lease of interactive slots: one round trip. */
  lease(l: LeaseAsk): LeaseGrant {
    return this.#allowance.lease(l, Date.now());
  }

  /** What the limiter has learned (tests, diagnostics). */
  state(): { window: number; inflight: number; latencyMs: number; tokensPerCall: number } {
    const a = this.#allowance;
    return { window: a.window, inflight: a.inflight, latencyMs: a.latencyMs, tokensPerCall: a.tokensPerCall };
  }
}

/** The reserve when PROVIDER_INTERACTIVE_SHARE is unset or not a share: a fifth for live traffic. */
export const DEFAULT_INTERACTIVE_SHARE = 0.2;

/** PROVIDER_INTERACTIVE_SHARE: the share (0–0.9) of each allowance batch work may not use. */
export function interactiveShare(env: { PROVIDER_INTERACTIVE_SHARE?: string }): number {
  const n = Number(env.PROVIDER_INTERACTIVE_SHARE ?? DEFAULT_INTERACTIVE_SHARE);
  return Number.isFinite(n) && n >= 0 && n <= 0.9 ? n : DEFAULT_INTERACTIVE_SHARE;
}
