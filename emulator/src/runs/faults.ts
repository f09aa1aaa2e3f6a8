import { OpenAIError } from "../errors";
import { hash53, uniform } from "../ids";
import type { FaultConfig } from "./config";

export type FaultStatus = 429 | 500 | 503;

/** A stable fingerprint of a request: method, path with query, and body. */
export function fingerprint(method: string, pathAndQuery: string, body: string): string {
  return hash53(`${method} ${pathAndQuery}\n${body}`).toString(36);
}

/**
 * The seeded schedule: the decision is a function of (seed, fingerprint, occurrence) only,
 * so it does not depend on concurrency or ordering, and a retry (the next occurrence of
 * the same request) gets a fresh draw.
 */
export function drawFault(faults: FaultConfig, print: string, occurrence: number): FaultStatus | null {
  const u = uniform(String(faults.seed), print, occurrence);
  if (u < faults.rate_429) return 429;
  if (u < faults.rate_429 + faults.rate_500) return 500;
  if (u < faults.rate_429 + faults.rate_500 + faults.rate_503) return 503;
  return null;
}

/** The error OpenAI would answer with for an injected status. */
export function faultError(status: FaultStatus): OpenAIError {
  if (status === 429) {
    return new OpenAIError(
      429,
      "Rate limit reached for requests. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.",
      "requests",
      null,
      "rate_limit_exceeded",
      { "retry-after": "1", "retry-after-ms": "1000" },
    );
  }
  if (status === 500) {
    return new OpenAIError(500, "The server had an error while processing your request. Sorry about that!", "server_error");
  }
  return new OpenAIError(503, "The engine is currently overloaded, please try again later.", "server_error", null, "overloaded");
}
