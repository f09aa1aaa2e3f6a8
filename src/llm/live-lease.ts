/**
 * Live calls without a round trip to the limiter. Each isolate leases interactive slots from a
 * provider key's ProviderLimiter (Allowance.lease) and starts calls against them at once; the
 * calls' reports wait here and ride on the next ask, which renews the lease halfway through its
 * life, off the requests' path (their `waitUntil`). Only when every leased slot is busy does a
 * request ask, and wait, as batch work always does.
 *
 * What keeps the limiter's count right: leased slots count as in flight there until the lease
 * lapses; an ask says how many calls are in flight here, and those stay counted even when the
 * lease shrinks under them; a 429 drops the lease at once and goes back with the next ask.
 */
import type { LeaseAsk, LeaseGrant, Observation } from "../durable/provider-limiter/allowance";
import { randomToken } from "../lib/ids";

export interface LeaseLimiter {
  lease(l: LeaseAsk): Promise<LeaseGrant>;
}

/** Reports held before an ask is made for them alone (the limiter learns from them). */
const REPORTS_PER_ASK = 128;
/** An isolate with no live call for this long gives its slots back (others may be waiting for them). */
const IDLE_MS = 250;
/** Asking again sooner than this is no use when the limiter said nothing of when. */
const MIN_WAIT_MS = 20;
const MAX_WAIT_MS = 5_000;

/** One isolate's lease on one limiter. */
export class LiveLease {
  #slots = 0;
  /** When the lease lapses here: its ttl counted from before the ask was sent. */
  #until = 0;
  #ttlMs = 0;
  #inUse = 0;
  /** Calls waiting for a slot (on the slow path). */
  #queued = 0;
  /** The most calls in flight and waiting at once since the last ask: what the next ask wants. */
  #peak = 0;
  #reports: Observation[] = [];
  #wakers: Array<() => void> = [];
  #sent = 0;
  #applied = 0;
  #renewing = false;
  /** Calls started so far: an idle check sees whether any began while it waited. */
  #started = 0;
  #idleCheck = false;

  private readonly clock: () => number;
  private readonly idleMs: number;
  private readonly wait: Wait;

  /** `clock`: the machine's, as the limiter object's; `wait`: real timers (tests pass their own of each). */
  constructor(
    private readonly holder: string,
    opts: { clock?: () => number; idleMs?: number; wait?: Wait } = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.idleMs = opts.idleMs ?? IDLE_MS;
    this.wait = opts.wait ?? timerWait;
  }

  /** The number of asks made (tests count round trips with it). */
  get asks(): number {
    return this.#sent;
  }

  /**
   * Takes a slot for one call: from the lease at once when one is free, else after asking the
   * limiter (and waiting, when it has none). `defer` keeps a renewal alive past the response.
   */
  async take(limiter: LeaseLimiter, defer: (p: Promise<unknown>) => void): Promise<void> {
    if (this.#free()) return this.#start(limiter, defer);
    this.#queued++;
    this.#peak = Math.max(this.#peak, this.#inUse + this.#queued);
    try {
      for (;;) {
        let waitMs: number;
        try {
          waitMs = await this.#ask(limiter);
        } catch {
          // The limiter unreachable: let the call go (the provider's 429 still protects it).
          this.#inUse++;
          return;
        }
        if (this.#free()) return this.#start(limiter, defer);
        await this.#sleep(waitMs);
        if (this.#free()) return this.#start(limiter, defer);
      }
    } finally {
      this.#queued--;
    }
  }

  /** A call is back: its slot is free again here, and its report goes with the next ask. */
  release(limiter: LeaseLimiter, report: Observation, defer: (p: Promise<unknown>) => void): void {
    this.#inUse--;
    this.#reports.push(report);
    // A 429: no more calls on this lease; the limiter hears of it now and decides again.
    if (report.limited) {
      this.#slots = 0;
      defer(this.#renew(limiter));
    } else if (this.#reports.length >= REPORTS_PER_ASK) defer(this.#renew(limiter));
    else if (this.#inUse === 0 && this.#queued === 0 && this.#slots > 0) defer(this.#giveBackWhenIdle(limiter));
    this.#wakers.shift()?.();
  }

  /**
   * Slots held by an isolate nobody is calling through would keep other isolates' live requests
   * (and batch work) waiting until the lease lapsed: when no call starts for `idleMs` after the
   * last one ended, the lease goes back, with the reports it holds.
   */
  async #giveBackWhenIdle(limiter: LeaseLimiter): Promise<void> {
    if (this.#idleCheck) return;
    this.#idleCheck = true;
    try {
      for (;;) {
        const started = this.#started;
        await this.wait(this.idleMs);
        if (this.#inUse > 0 || this.#queued > 0 || this.#slots === 0) return;
        if (this.#started === started) break;
      }
      await this.#ask(limiter, 0).catch(() => undefined);
    } finally {
      this.#idleCheck = false;
    }
  }

  #free(): boolean {
    return this.clock() < this.#until && this.#inUse < this.#slots;
  }

  #start(limiter: LeaseLimiter, defer: (p: Promise<unknown>) => void): void {
    this.#inUse++;
    this.#started++;
    this.#peak = Math.max(this.#peak, this.#inUse + this.#queued);
    if (this.#until - this.clock() < this.#ttlMs / 2) defer(this.#renew(limiter));
  }

  /** One ask in the background at a time; its failure leaves the lease to lapse. */
  async #renew(limiter: LeaseLimiter): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      await this.#ask(limiter);
    } catch {
      // Unreachable: the lease lapses and the next call asks on its own path.
    } finally {
      this.#renewing = false;
    }
  }

  /** Asks for what the last period's peak needed plus one spare slot (or `want`); returns when to ask again. */
  async #ask(limiter: LeaseLimiter, want = Math.max(this.#peak, this.#inUse + this.#queued) + 1): Promise<number> {
    const seq = ++this.#sent;
    const sentAt = this.clock();
    const grant = await limiter.lease({ holder: this.holder, want, inUse: this.#inUse, reports: this.#reports.splice(0) });
    // Asks can come back out of order: only the newest one sent sets the lease.
    if (seq > this.#applied) {
      this.#applied = seq;
      this.#slots = grant.slots;
      this.#ttlMs = grant.ttlMs;
      this.#until = sentAt + grant.ttlMs;
      this.#peak = this.#inUse + this.#queued;
      for (let free = this.#slots - this.#inUse; free > 0 && this.#wakers.length > 0; free--) this.#wakers.shift()!();
    }
    return grant.waitMs;
  }

  /** Waits `ms` (bounded), or less when a call coming back wakes it. */
  async #sleep(ms: number): Promise<void> {
    const stop = new AbortController();
    const woken = new Promise<void>((resolve) => {
      const wake = () => {
        stop.abort();
        resolve();
      };
      this.#wakers.push(wake);
      stop.signal.addEventListener("abort", () => (this.#wakers = this.#wakers.filter((w) => w !== wake)));
    });
    await Promise.race([woken, this.wait(Math.min(Math.max(ms, MIN_WAIT_MS), MAX_WAIT_MS), stop.signal)]);
    stop.abort();
  }
}

/** Waits `ms`, or until `signal` aborts (the timer is then cleared). */
export type Wait = (ms: number, signal?: AbortSignal) => Promise<void>;

const timerWait: Wait = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

const leases = new Map<string, LiveLease>();
let holder: string | null = null;

/** This isolate's lease on the limiter named `key` (the holder id is made on first use: no randomness at global scope). */
export function liveLease(key: string): LiveLease {
  let lease = leases.get(key);
  if (!lease) {
    holder ??= `iso_${randomToken(12)}`;
    leases.set(key, (lease = new LiveLease(holder)));
  }
  return lease;
}
