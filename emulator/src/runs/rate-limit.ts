import { OpenAIError } from "../errors";
import { ORGANIZATION_ID } from "../models";
import type { RunConfig } from "./config";

const WINDOW_MS = 60_000;

interface Window {
  requests: number[];
  tokens: Array<{ at: number; n: number }>;
}

/** A charge admitted against a run's budget, settled once the real usage is known. */
export interface Admission {
  run: string;
  entry: { at: number; n: number } | null;
}

/** Go-style durations as OpenAI writes them in x-ratelimit-reset-*: "120ms", "1.5s", "6m0s". */
export function formatReset(ms: number): string {
  const clamped = Math.max(0, Math.ceil(ms));
  if (clamped < 1000) return `${clamped}ms`;
  if (clamped < 60_000) return `${Number((clamped / 1000).toFixed(3))}s`;
  return `${Math.floor(clamped / 60_000)}m${Math.floor((clamped % 60_000) / 1000)}s`;
}

/** rpm/tpm budgets over rolling 60 s windows of real time, kept in memory per run. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  /** `onLimited` records each refusal (the run's stats). */
  constructor(private readonly onLimited: (run: string) => void = () => {}) {}

  private window(run: string, now: number): Window {
    let w = this.windows.get(run);
    if (!w) {
      w = { requests: [], tokens: [] };
      this.windows.set(run, w);
    }
    w.requests = w.requests.filter((t) => now - t < WINDOW_MS);
    w.tokens = w.tokens.filter((t) => now - t.at < WINDOW_MS);
    return w;
  }

  /** Admits one request estimated at `tokens`, or throws OpenAI's 429 with its headers. */
  admit(run: string, config: RunConfig, model: string, tokens: number): Admission {
    if (config.rpm === undefined && config.tpm === undefined) return { run, entry: null };
    const now = Date.now();
    const w = this.window(run, now);
    if (config.rpm !== undefined && w.requests.length >= config.rpm) {
      const wait = (w.requests[0] ?? now) + WINDOW_MS - now;
      throw this.limited(run, config, model, "requests", `requests per min (RPM): Limit ${config.rpm}, Used ${w.requests.length}, Requested 1.`, wait);
    }
    if (config.tpm !== undefined) {
      const used = w.tokens.reduce((s, t) => s + t.n, 0);
      if (tokens > config.tpm) {
        throw this.limited(run, config, model, "tokens", `tokens per min (TPM): Limit ${config.tpm}, Requested ${tokens}. The input or output tokens must be reduced in order to run successfully.`, WINDOW_MS, "Request too large for");
      }
      if (used + tokens > config.tpm) {
        const wait = this.tokenWait(w, config.tpm, tokens, now);
        throw this.limited(run, config, model, "tokens", `tokens per min (TPM): Limit ${config.tpm}, Used ${used}, Requested ${tokens}.`, wait);
      }
    }
    w.requests.push(now);
    const entry = { at: now, n: tokens };
    w.tokens.push(entry);
    return { run, entry };
  }

  /** Replaces the estimate with the real token count. */
  settle(admission: Admission, tokens: number): void {
    if (admission.entry) admission.entry.n = tokens;
  }

  /** The x-ratelimit-* headers for a run with budgets (empty when it has none). */
  headers(run: string, config: RunConfig): Record<string, string> {
    const now = Date.now();
    const w = this.window(run, now);
    const out: Record<string, string> = {};
    if (config.rpm !== undefined) {
      out["x-ratelimit-limit-requests"] = String(config.rpm);
      out["x-ratelimit-remaining-requests"] = String(Math.max(0, config.rpm - w.requests.length));
      out["x-ratelimit-reset-requests"] = formatReset(w.requests.length ? (w.requests[0] ?? now) + WINDOW_MS - now : 0);
    }
    if (config.tpm !== undefined) {
      const used = w.tokens.reduce((s, t) => s + t.n, 0);
      out["x-ratelimit-limit-tokens"] = String(config.tpm);
      out["x-ratelimit-remaining-tokens"] = String(Math.max(0, config.tpm - used));
      out["x-ratelimit-reset-tokens"] = formatReset(w.tokens.length ? (w.tokens[0]?.at ?? now) + WINDOW_MS - now : 0);
    }
    return out;
  }

  /** Forgets a run's windows (when its config is replaced or deleted). */
  reset(run: string): void {
    this.windows.delete(run);
  }

  private tokenWait(w: Window, tpm: number, tokens: number, now: number): number {
    let used = w.tokens.reduce((s, t) => s + t.n, 0);
    for (const t of w.tokens) {
      used -= t.n;
      if (used + tokens <= tpm) return t.at + WINDOW_MS - now;
    }
    return WINDOW_MS;
  }

  private limited(run: string, config: RunConfig, model: string, kind: "requests" | "tokens", detail: string, waitMs: number, lead = "Rate limit reached for"): OpenAIError {
    this.onLimited(run);
    const wait = Math.max(1, Math.ceil(waitMs));
    const seconds = Math.ceil(wait / 1000);
    const message = `${lead} ${model} in organization ${ORGANIZATION_ID} on ${detail} Please try again in ${formatReset(wait)}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
    return new OpenAIError(429, message, kind, null, "rate_limit_exceeded", {
      ...this.headers(run, config),
      "retry-after": String(seconds),
      "retry-after-ms": String(wait),
    });
  }
}
