/**
 * How many provider calls may start now, for one provider key: learned from what the provider
 * says (x-ratelimit-* headers, 429s), not from a configured number. Pure state, no I/O: the
 * ProviderLimiter object holds one and tests drive it with real responses' headers.
 *
 * Two limits at once:
 * - a concurrency window (calls in flight), moved by AIMD: +1 per call that came back with room
 *   in the headers (slow start until the first back-off, then +1 per window), halved on a 429,
 *   cut by a quarter when the remaining count falls low and keeps falling; never below the first
 *   window nor what the allowance needs at the observed latency (rate × latency), so pacing, not
 *   the window, binds when the provider is saturated (and random refusals do not starve it);
 * - header-fed buckets for requests and tokens: the last remaining count the provider reported,
 *   less the calls granted and not back yet. Nothing is assumed freed between reports (a rolling
 *   window frees at the pace it was used a minute ago, not evenly): when the count is spent and
 *   nothing is in flight, one call goes at the provider's reset time to learn the new count.
 *   Tokens are budgeted at the calls' average.
 */

/** What one finished call taught: its headers (absent when the provider sends none), its fate. */
export interface Observation {
  limitRequests?: number;
  remainingRequests?: number;
  limitTokens?: number;
  remainingTokens?: number;
  /** x-ratelimit-reset-*: how long until the provider's window frees its oldest use, ms. */
  resetRequestsMs?: number;
  resetTokensMs?: number;
  /** Answered 429. */
  limited?: boolean;
  /** Retry-After (or the reset header) on a 429, ms. */
  retryAfterMs?: number;
  /** The call's duration, ms. */
  ms: number;
  /** Tokens the call was estimated at (prompt + max output). */
  tokens: number;
}

export interface Ask {
  tenant: string;
  /** Calls wanted now (0: only reporting). */
  want: number;
  /**
   * `interactive` (a live request: /openai/v1) may use the reserved share and is not held to the
   * tenants' fair share of batch work; `background` (labeling, evals, shadowing; the default)
   * may not touch the reserve.
   */
  priority?: Priority;
  /** The same as `priority: "interactive"` (the older spelling). */
  interactive?: boolean;
  /** Outcomes of calls granted earlier, one per call, in the order they finished. */
  reports: Observation[];
}

export type Priority = "interactive" | "background";

export interface Grant {
  granted: number;
  /** When asking again is worth it, ms (when nothing or not all was granted). */
  waitMs: number;
}

/**
 * A lease of interactive slots to one isolate: it starts live calls against them without asking
 * again, and renews (with the calls' reports) before the lease lapses. The slots count as calls
 * in flight until then, so batch work never takes them; a lease its holder stops renewing (an
 * isolate gone) frees its slots when it lapses.
 */
export interface LeaseAsk {
  /** The isolate holding the lease (a random id it chose). */
  holder: string;
  /** Slots wanted in all, in use or not (0 gives the lease back). */
  want: number;
  /** The holder's calls in flight now: counted whatever the lease becomes, until they report. */
  inUse: number;
  /** Outcomes of the holder's calls since its last ask, in the order they finished. */
  reports: Observation[];
}

export interface LeaseGrant {
  /** Slots the holder may use at once until the lease lapses (may be fewer than it had). */
  slots: number;
  /** How long the lease holds from the ask, ms. */
  ttlMs: number;
  /** When asking again is worth it, ms (when fewer slots than wanted were leased). */
  waitMs: number;
}

export interface AllowanceOptions {
  /** The first window before anything was learned. */
  initialWindow: number;
  maxWindow: number;
  /** Share (0–1) of the window and the buckets kept for interactive traffic. */
  reserve: number;
}

/** Grants not reported within this long are presumed lost (a consumer that died). */
const GRANT_TTL_MS = 2 * 60_000;
/** How long a lease holds; its holder renews it halfway, off its requests' path. */
export const LEASE_TTL_MS = 10_000;
/** Kept past a lease's end before its slots are freed: the holder's and the object's clocks differ. */
const LEASE_GRACE_MS = 1_000;
/** A tenant that asked within this long counts as waiting, for the fair share. */
const ACTIVE_MS = 5_000;
/** Headers show room while more than this share of the limit remains. */
const ROOM = 0.1;
/** How often to ask again when only the window (a call finishing) can free a slot. */
const POLL_MS = 100;
const MINUTE_MS = 60_000;

interface Bucket {
  limit: number;
  level: number;
  /** The provider's reset: when its window frees its oldest use. */
  at: number;
}

/**
 * The bucket a report leaves: before the provider's last reset time its window freed nothing, so
 * a higher count than the one known is an older report arriving late (another consumer's), not news.
 */
function fresher(known: Bucket | null, seen: Bucket, now: number): Bucket {
  if (!known || now >= known.at || seen.level <= known.level) return seen;
  return { ...seen, level: known.level, at: known.at };
}

export class Allowance {
  window: number;
  #ssthresh = Infinity;
  /** Grant times per tenant (oldest first), each a call in flight. */
  #inflight = new Map<string, number[]>();
  /** Leases by holder: their slots (or more calls, when a lease shrank under them) are in flight. */
  #leases = new Map<string, { slots: number; inUse: number; until: number }>();
  #asked = new Map<string, number>();
  #requests: Bucket | null = null;
  #tokens: Bucket | null = null;
  #lastRemaining: number | null = null;
  #pausedUntil = 0;
  /** Reports still to come from calls in flight at the last cut. */
  #cutHold = 0;
  /** Moving averages of a call's duration and tokens. */
  latencyMs = 0;
  tokensPerCall = 0;

  constructor(private readonly opts: AllowanceOptions) {
    this.window = opts.initialWindow;
  }

  get inflight(): number {
    let n = 0;
    for (const g of this.#inflight.values()) n += g.length;
    for (const l of this.#leases.values()) n += Math.max(l.slots, l.inUse);
    return n;
  }

  ask(a: Ask, now: number): Grant {
    this.#expire(now);
    for (const r of a.reports) this.#observe(a.tenant, r, now);
    if (a.want <= 0) return { granted: 0, waitMs: 0 };
    const interactive = a.priority === "interactive" || a.interactive === true;
    // Only batch work waits its turn among tenants: a live request is not a tenant's fan-out.
    if (!interactive) this.#asked.set(a.tenant, now);
    if (now < this.#pausedUntil) return { granted: 0, waitMs: this.#pausedUntil - now };

    const share = interactive ? 1 : 1 - this.opts.reserve;
    const cap = Math.max(1, Math.floor(this.window * share));
    let room = Math.min(a.want, cap - this.inflight);
    if (!interactive) {
      // The fair share of batch work; a tenant's own fan-out never holds back its live requests.
      const mine = this.#inflight.get(a.tenant)?.length ?? 0;
      room = Math.min(room, Math.ceil(cap / this.#active(now)) - mine);
    }
    const fit = this.#fitBuckets(room, share, now);
    const granted = Math.max(0, fit.calls);
    if (granted > 0) {
      const list = this.#inflight.get(a.tenant) ?? [];
      for (let i = 0; i < granted; i++) list.push(now);
      this.#inflight.set(a.tenant, list);
      this.#debit(granted);
    }
    return { granted, waitMs: granted >= a.want ? 0 : fit.waitMs };
  }

  /**
   * Sets a holder's lease of interactive slots (see LeaseAsk): up to `want`, within the whole
   * window less everything else in flight; slots beyond what it held must fit the buckets, as
   * calls granted one by one do. Paused (a 429 said the allowance is spent): no slots.
   */
  lease(l: LeaseAsk, now: number): LeaseGrant {
    this.#expire(now);
    for (const r of l.reports) this.#learn(r, now);
    const had = this.#leases.get(l.holder)?.slots ?? 0;
    this.#leases.delete(l.holder);
    let slots = 0;
    let waitMs = 0;
    if (now < this.#pausedUntil) waitMs = this.#pausedUntil - now;
    else {
      slots = Math.max(0, Math.min(l.want, Math.max(1, Math.floor(this.window)) - this.inflight));
      if (slots > had) {
        const fit = this.#fitBuckets(slots - had, 1, now);
        slots = had + Math.max(0, fit.calls);
        this.#debit(slots - had);
        waitMs = fit.waitMs;
      }
    }
    if (slots > 0 || l.inUse > 0) this.#leases.set(l.holder, { slots, inUse: l.inUse, until: now + LEASE_TTL_MS + LEASE_GRACE_MS });
    return { slots, ttlMs: LEASE_TTL_MS, waitMs: slots >= l.want ? 0 : Math.max(POLL_MS, waitMs) };
  }

  /** How many of `room` calls the request and token buckets allow now, and when to ask again. */
  #fitBuckets(room: number, share: number, now: number): { calls: number; waitMs: number } {
    let waitMs = POLL_MS;
    for (const [bucket, per] of [[this.#requests, 1], [this.#tokens, Math.max(1, this.tokensPerCall)]] as const) {
      if (!bucket) continue;
      let usable = bucket.level - bucket.limit * (1 - share);
      // Spent, nothing of ours in flight to bring news, and the provider's reset has passed: one
      // call goes to learn how much its window has freed since.
      if (usable < per && now >= bucket.at && this.inflight === 0) usable = per;
      const calls = Math.floor(usable / per);
      if (calls < room) {
        room = calls;
        waitMs = Math.max(waitMs, bucket.at - now);
      }
    }
    return { calls: room, waitMs };
  }

  #debit(calls: number): void {
    if (calls <= 0) return;
    if (this.#requests) this.#requests.level -= calls;
    if (this.#tokens) this.#tokens.level -= calls * Math.max(1, this.tokensPerCall);
  }

  #observe(tenant: string, o: Observation, now: number): void {
    this.#inflight.get(tenant)?.shift();
    this.#learn(o, now);
  }

  /** What a finished call's headers and fate teach (its slot is freed by its grant or lease). */
  #learn(o: Observation, now: number): void {
    if (this.#cutHold > 0) this.#cutHold--;
    this.latencyMs = this.latencyMs === 0 ? o.ms : this.latencyMs * 0.9 + o.ms * 0.1;
    if (o.tokens > 0) this.tokensPerCall = this.tokensPerCall === 0 ? o.tokens : this.tokensPerCall * 0.9 + o.tokens * 0.1;
    // The remaining count already holds what the provider's window freed; calls granted and not
    // back yet will take from it.
    if (o.limitRequests !== undefined && o.remainingRequests !== undefined) {
      this.#requests = fresher(this.#requests, { limit: o.limitRequests, level: o.remainingRequests - this.inflight, at: now + (o.resetRequestsMs ?? 0) }, now);
    }
    if (o.limitTokens !== undefined && o.remainingTokens !== undefined) {
      const per = Math.max(1, this.tokensPerCall);
      // Not `fresher`: grants debit tokens at an estimate, so a higher count than the debited
      // one is usually the estimate's error coming back, not a late report.
      this.#tokens = { limit: o.limitTokens, level: o.remainingTokens - this.inflight * per, at: now + (o.resetTokensMs ?? 0) };
    }
    if (o.limited) {
      // A 429 whose headers say the allowance is spent stops everyone until it refills; one
      // without (an overloaded backend, a random refusal) only narrows the window.
      const spent = o.remainingRequests === 0 || (o.remainingTokens !== undefined && o.limitTokens !== undefined && o.remainingTokens < o.limitTokens * ROOM);
      if (spent) {
        this.#pausedUntil = Math.max(this.#pausedUntil, now + (o.retryAfterMs ?? 1000));
        if (this.#requests) this.#requests.level = Math.min(this.#requests.level, 0);
      }
      this.#cut(0.5);
      return;
    }
    const remaining = o.remainingRequests ?? null;
    const limit = o.limitRequests ?? null;
    const tokensLow = o.remainingTokens !== undefined && o.limitTokens !== undefined && o.remainingTokens < o.limitTokens * ROOM;
    const low = (remaining !== null && limit !== null && remaining < limit * ROOM) || tokensLow;
    if (!low) this.window = Math.min(this.opts.maxWindow, this.window + (this.window < this.#ssthresh ? 1 : 1 / this.window));
    else if (remaining !== null && this.#lastRemaining !== null && remaining < this.#lastRemaining) this.#cut(0.75);
    if (remaining !== null) this.#lastRemaining = remaining;
  }

  /**
   * Multiplicative decrease, at most once per round trip: the calls already in flight when the
   * window was cut report the same congestion, so their signals are not counted again.
   */
  #cut(factor: number): void {
    if (this.#cutHold > 0) return;
    this.#cutHold = this.inflight;
    this.#ssthresh = Math.max(2, this.window * factor);
    this.window = Math.max(this.#floor(), this.window * factor);
  }

  /**
   * The least window: the first one (what a fixed concurrency used to be), or what the allowance
   * needs at the observed latency (rate × latency, plus one) when that is more.
   */
  #floor(): number {
    const limit = this.#requests?.limit;
    const needed = limit ? Math.ceil((limit * this.latencyMs) / MINUTE_MS) + 1 : 1;
    return Math.max(this.opts.initialWindow, needed);
  }

  #active(now: number): number {
    let n = 0;
    for (const [tenant, at] of this.#asked) {
      if (now - at <= ACTIVE_MS || (this.#inflight.get(tenant)?.length ?? 0) > 0) n++;
      else this.#asked.delete(tenant);
    }
    return Math.max(1, n);
  }

  #expire(now: number): void {
    for (const [tenant, grants] of this.#inflight) {
      while (grants.length > 0 && now - grants[0]! > GRANT_TTL_MS) grants.shift();
      if (grants.length === 0) this.#inflight.delete(tenant);
    }
    for (const [holder, l] of this.#leases) if (now > l.until) this.#leases.delete(holder);
  }
}
