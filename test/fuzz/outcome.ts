import { ERROR_STATUS } from "../../src/errors";
import type { ApiResponse } from "../helpers/api";
import type { Case } from "./cases";

/** How far a request got: refused before its body or route was read, refused by the schema, or handled. */
export type Stage = "unparsed" | "validation" | "handler";

/**
 * Read from the answer alone: a body that is not JSON, a media type not taken, a body over the limit,
 * an unreadable form or a path no route matches never reached validation; the zod hook's refusals
 * (`Invalid request …`, src/openapi/router.ts) stopped at it; anything else reached the handler.
 */
export function stageOf(res: ApiResponse): Stage {
  const code: string | undefined = res.body?.error?.code;
  const message: string = res.body?.error?.message ?? "";
  if (res.status === 413 || res.status === 415 || code === "invalid_json" || code === "method_not_allowed") return "unparsed";
  if (res.status === 404 && message.startsWith("No route")) return "unparsed";
  if (code === "bad_request" && /^Malformed/i.test(message)) return "unparsed";
  if (code === "validation_failed" && message.startsWith("Invalid request ")) return "validation";
  return "handler";
}

/** What is wrong with a response, if anything: a 5xx, or an error body not in the documented shape. */
export function problemsOf(res: ApiResponse, openai: boolean): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`answered ${res.status}`);
  if (res.status < 400) return problems;
  const body = res.body;
  if (!body || typeof body !== "object") return [...problems, `error body is not JSON: ${String(res.text).slice(0, 120)}`];
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== "error") problems.push(`error body has keys ${keys.join(",")}`);
  const e = body.error ?? {};
  if (openai) {
    if (typeof e.message !== "string" || typeof e.type !== "string" || !("param" in e) || !("code" in e)) problems.push("not OpenAI's error shape");
    return problems;
  }
  if (typeof e.code !== "string" || !(e.code in ERROR_STATUS)) problems.push(`unknown error code ${String(e.code)}`);
  else if (ERROR_STATUS[e.code as keyof typeof ERROR_STATUS] !== res.status) problems.push(`code ${e.code} with status ${res.status}`);
  if (typeof e.message !== "string" || e.message.length === 0) problems.push("no message");
  // A replay (Idempotency-Key) answers the first request's body, with its request id.
  const replayed = res.headers.get("Idempotent-Replayed") === "true";
  if (typeof e.request_id !== "string" || (!replayed && e.request_id !== res.headers.get("X-Request-Id"))) problems.push("request_id missing or not the X-Request-Id");
  const allowed = new Set(["code", "message", "details", "request_id"]);
  for (const k of Object.keys(e)) if (!allowed.has(k)) problems.push(`unexpected error field ${k}`);
  return problems;
}

/** A case in a line: its kind, the request (long values cut) and the answer. */
export function describeCase(c: Case, res?: ApiResponse): string {
  const cut = (s: string) => (s.length > 160 ? `${s.slice(0, 160)}…(${s.length} chars)` : s);
  const body = c.body === undefined ? "" : typeof c.body === "string" ? ` body=${cut(JSON.stringify(c.body))}` : c.body instanceof FormData ? " body=<form>" : ` body=<${c.body.byteLength} bytes>`;
  const answer = res ? ` → ${res.status} ${cut(res.text)}` : "";
  return `[${c.kind}] ${cut(c.url)} ${JSON.stringify(c.headers)}${body}${answer}`;
}

/** One operation's figures for the printed table. */
export interface OperationTally {
  key: string;
  cases: number;
  parsed: number;
  handled: number;
  accepted: number;
  /** Rejected cases whose state check was lost to an accepted case sent before the next look. */
  unverified: number;
  statuses: Map<number, number>;
  /** The statuses the operation declares in /openapi.json. */
  declared: number[];
}

function print(text: string): void {
  const printer = (globalThis as { __printUncaptured?: (text: string) => void }).__printUncaptured;
  if (!printer) throw new Error("test/setup/no-secrets.ts did not run: nothing to print the table with");
  printer(text);
}

/** Prints, per operation: cases, the share past parsing (to validation) and past validation (to the handler). */
export function printTable(seed: number, all: (OperationTally | undefined)[], ms: number): void {
  const tallies = all.filter((t): t is OperationTally => t !== undefined);
  const pct = (n: number, d: number) => `${d ? Math.round((100 * n) / d) : 0}%`.padStart(5);
  const total = tallies.reduce((s, t) => s + t.cases, 0);
  const unverified = tallies.reduce((s, t) => s + t.unverified, 0);
  const width = Math.max(...tallies.map((t) => t.key.length));
  const lines = [
    `fuzz (FUZZ_SEED=${seed}): ${total} cases over ${tallies.length} operations from /openapi.json in ${(ms / 1000).toFixed(1)} s`,
    `  ${"operation".padEnd(width)}  cases  parsed  handler  2xx  statuses (* not declared by the operation)`,
    ...tallies.map(
      (t) =>
        `  ${t.key.padEnd(width)}  ${String(t.cases).padStart(5)}  ${pct(t.parsed, t.cases)}   ${pct(t.handled, t.cases)}  ${String(t.accepted).padStart(4)}  ` +
        [...t.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}${t.declared.includes(s) ? "" : "*"}×${n}`).join(" "),
    ),
    `  state: the tenant's state was compared around every rejected request but ${unverified} (rejected, then an accepted one before the next look)`,
    `  parsed: reached validation (not refused as bad JSON, a media type not taken, over the size limit, or no route); handler: got past validation`,
  ];
  print(lines.join("\n"));
}
