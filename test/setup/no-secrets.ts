import { env } from "cloudflare:workers";
import { afterEach } from "vitest";
import type { Bindings } from "../../src/env";
import { assertNoSecretLeaked, capture, registerSecret } from "../helpers/secrets";

const b = env as Bindings;
for (const name of ["ADMIN_TOKEN", "OPENAI_API_KEY", "TOGETHER_API_KEY", "FIREWORKS_API_KEY"] as const) {
  registerSecret(b[name]);
}

// Every console line the Worker (and its Durable Objects, same isolate) writes is captured.
for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    capture(`console.${level}`, args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" "));
    if (process.env.DISTILLERY_TEST_LOGS) original(...args);
  };
}

function safeJson(v: unknown): string {
  try {
    return v instanceof Error ? `${v.name}: ${v.message}\n${v.stack}` : JSON.stringify(v);
  } catch {
    return String(v);
  }
}

afterEach(() => assertNoSecretLeaked());
