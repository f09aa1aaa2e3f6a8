/**
 * Launches the machine's Chromium (Debian's `chromium` package, installed by .ci/run) headless
 * through playwright-core: the project's one browser launcher, for the /docs test and later the
 * console's. playwright-core downloads no browser of its own; it drives the executable given.
 *
 *   const browser = await launchChromium();
 *   try { const page = await browser.newPage(); … } finally { await browser.close(); }
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's package puts it; `CHROMIUM_PATH` overrides. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/**
 * Flags for a shared CI machine running as root: no sandbox (root has none), no GPU, and no
 * traffic of the browser's own (updates, field trials, first-run pages), so a test's network
 * is only its page's.
 */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  if (!existsSync(path)) {
    throw new Error(`No Chromium at ${path}: install Debian's package (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH.`);
  }
  return path;
}

/**
 * A headless Chromium with a fresh profile, so no state leaks between runs: playwright-core's
 * launch() always passes a new temporary --user-data-dir of its own and removes it on close
 * (it refuses one passed in args; a persistent profile is launchPersistentContext's business).
 */
export async function launchChromium(opts: { timeoutMs?: number } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: opts.timeoutMs ?? 60_000,
  });
}
