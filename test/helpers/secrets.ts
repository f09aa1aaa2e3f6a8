/**
 * The suite-wide "no secret leaks" check: secrets are registered as they appear
 * (the admin token, provider keys, every API key a test is issued), and every
 * log line and response body a test produces is scanned for them after it.
 */
const secrets = new Set<string>();
const captured: { source: string; text: string }[] = [];
/** Bumped each time the capture starts afresh (after every test). */
let generation = 0;

/** The console methods test/setup/no-secrets.ts captures: those src/lib/log.ts writes to, and the rest. */
export const CAPTURED_CONSOLE_LEVELS = ["log", "info", "warn", "error", "debug"] as const;
export type ConsoleLevel = (typeof CAPTURED_CONSOLE_LEVELS)[number];

export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 8) secrets.add(secret);
}

export function capture(source: string, text: string): void {
  captured.push({ source, text });
}

/** Throws when any captured text contains a registered secret; then starts afresh. */
export function assertNoSecretLeaked(): void {
  const leaks: string[] = [];
  for (const { source, text } of captured) {
    for (const s of secrets) {
      if (text.includes(s)) leaks.push(`${source} contains a secret (${s.slice(0, 6)}…): ${text.slice(0, 200)}`);
    }
  }
  captured.length = 0;
  generation++;
  if (leaks.length > 0) throw new Error(`Secret leaked:\n${leaks.join("\n")}`);
}

/** A console line as the suite-wide capture saw it. */
export interface ConsoleLine {
  level: ConsoleLevel;
  text: string;
}

/**
 * Reads the log without replacing the capture: the returned function gives every console line
 * written since this call (within the same test), at every level.
 */
export function watchConsole(): () => ConsoleLine[] {
  const from = captured.length;
  const started = generation;
  return () => {
    if (generation !== started) throw new Error("watchConsole() reads within the test that called it");
    return captured
      .slice(from)
      .filter((c) => c.source.startsWith("console."))
      .map((c) => ({ level: c.source.slice("console.".length) as ConsoleLevel, text: c.text }));
  };
}
