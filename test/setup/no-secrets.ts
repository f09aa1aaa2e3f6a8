import { afterEach } from "vitest";
import { assertNoSecretLeaked, capture, CAPTURED_CONSOLE_LEVELS, registerSecret } from "../helpers/secrets";

// Runs in both projects, so it reads no `cloudflare:workers`: in workerd, nodejs_compat
// fills process.env with the Worker's text bindings and secrets; the node project sets
// the same names in vitest.config.ts.
for (const name of ["ADMIN_TOKEN", "OPENAI_API_KEY", "TOGETHER_API_KEY", "FIREWORKS_API_KEY"] as const) {
  registerSecret(process.env[name]);
}

// Every console line the Worker (and its Durable Objects, same isolate) writes is captured, at every
// level src/lib/log.ts writes and the others. The methods are fixed (not configurable, no setter):
// a test that wants to read the log uses watchConsole(), and no spy can switch this check off.
// A runner reused across files runs this file again for each: the methods are installed once, and
// each run points them at this run's capture (the module it imported).
const hooks = globalThis as {
  __secretCapture?: typeof capture;
  __secretCaptureInstalled?: boolean;
  __printUncaptured?: (text: string) => void;
};
hooks.__secretCapture = capture;
if (!hooks.__secretCaptureInstalled) {
  hooks.__secretCaptureInstalled = true;
  // For what the suite itself prints on purpose (summaries): the console beneath the capture.
  const log = console.log.bind(console);
  hooks.__printUncaptured = (text) => log(text);
  for (const level of CAPTURED_CONSOLE_LEVELS) {
    const original = console[level].bind(console);
    const captured = (...args: unknown[]) => {
      hooks.__secretCapture!(`console.${level}`, args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" "));
      if (process.env.DISTILLERY_TEST_LOGS) original(...args);
    };
    // An accessor, not a read-only value: the pool's console is a Proxy that binds what it returns,
    // which a non-writable, non-configurable data property would not allow.
    Object.defineProperty(console, level, {
      get: () => captured,
      set: () => {
        throw new TypeError(`console.${level} is the suite-wide secret capture: read the log with watchConsole() instead`);
      },
      configurable: false,
      enumerable: true,
    });
  }
}

function safeJson(v: unknown): string {
  try {
    return v instanceof Error ? `${v.name}: ${v.message}\n${v.stack}` : JSON.stringify(v);
  } catch {
    return String(v);
  }
}

afterEach(() => assertNoSecretLeaked());
