/**
 * The one clock every date decision reads (cutoffs, retirements, TTLs, leases, timestamps).
 *
 * It is the machine's clock plus an offset. The offset is zero in production; dev (`CLOCK_AT` in
 * the dev configuration or `.dev.vars`) and tests (`setClock`) move it, so a test can stand on
 * either side of a provider's cutoff whatever today's date is. Time keeps running from the
 * instant set, so TTLs and leases behave as they would. The emulator keeps its own run clock.
 *
 * Only what another party reads in real time stays on `Date.now()`: alarm times (the runtime fires
 * them), HTTP-date Retry-After and provider reset times, webhook signature timestamps, log lines.
 */
let offsetMs = 0;

/** Milliseconds since the epoch, as `Date.now()`. */
export function nowMs(): number {
  return Date.now() + offsetMs;
}

/** The current instant. */
export function now(): Date {
  return new Date(nowMs());
}

/** The current instant as an ISO 8601 string (what records store). */
export function nowIso(): string {
  return now().toISOString();
}

/** Today's date (UTC) as `YYYY-MM-DD`, for comparing with catalog dates. */
export function today(): string {
  return nowIso().slice(0, 10);
}

/**
 * Moves the clock so that it reads `at` now (and runs on from there); `null` puts it back.
 * For tests and dev only: production never calls it (see `configureClock`).
 */
export function setClock(at: Date | string | number | null): void {
  if (at === null) {
    offsetMs = 0;
    return;
  }
  const target = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(target)) throw new Error(`setClock: not a date: ${String(at)}`);
  offsetMs = target - Date.now();
}

/** Moves the clock forward by `ms` (tests: a TTL or a bound passing without a sleep). */
export function advanceClock(ms: number): void {
  offsetMs += ms;
}

/** The variables the clock reads. */
export interface ClockEnv {
  /** Dev only: the instant the clock reads when this isolate starts (ISO 8601). */
  CLOCK_AT?: string;
  /** `production` in the deployed Worker: there the clock is never moved. */
  ENVIRONMENT?: string;
}

/** The CLOCK_AT value last applied, so each entry point can call configureClock cheaply. */
let appliedFrom: string | undefined;

/**
 * Applies `CLOCK_AT` (every entry point calls this with its env; a value already applied is
 * skipped, so time keeps running from the first call). Ignored where `ENVIRONMENT` is
 * `production`, so a stray variable cannot move a deployed Worker's clock.
 */
export function configureClock(env: ClockEnv): void {
  const at = env.CLOCK_AT?.trim() || undefined;
  if (at === appliedFrom) return;
  appliedFrom = at;
  if (!at || env.ENVIRONMENT === "production") return;
  if (!Number.isFinite(Date.parse(at))) throw new Error(`CLOCK_AT is not an ISO 8601 instant: ${at}`);
  setClock(at);
}
