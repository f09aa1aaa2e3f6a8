/**
 * The suite-wide "no secret leaks" check: secrets are registered as they appear
 * (the admin token, provider keys, every API key a test is issued), and every
 * log line and response body a test produces is scanned for them after it.
 */
const secrets = new Set<string>();
const captured: { source: string; text: string }[] = [];

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
  if (leaks.length > 0) throw new Error(`Secret leaked:\n${leaks.join("\n")}`);
}
