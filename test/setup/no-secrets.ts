import { afterEach } from "vitest";
import { assertNoSecretLeaked, capture, registerSecret } from "../helpers/secrets";

// Runs in both projects, so it reads no `cloudflare:workers`: in workerd, nodejs_compat
// fills process.env with the Worker's text bindings and secrets; the node project sets
// the same names in vitest.config.ts.
for (const name of ["ADMIN_TOKEN", "OPENAI_API_KEY", "TOGETHER_API_KEY", "FIREWORKS_API_KEY"] as const) {
  registerSecret(process.env[name]);
}

// Every console line the Worker (and its Durable Objects, same isolate) writes is captured.
// A runner reused across files runs this file again for each: wrap the originals, once.
const originals = ((globalThis as { __consoleBeforeCapture?: Partial<Console> }).__consoleBeforeCapture ??= {});
for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  const original = (originals[level] ??= console[level].bind(console));
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
