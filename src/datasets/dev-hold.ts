import type { Bindings } from "../env";
import { logLine } from "../lib/log";

/**
 * Dev only: with `DEV_HOLD_WRITING=1` (`wrangler dev --var DEV_HOLD_WRITING:1`), a snapshot's
 * writer stops before writing anything and waits, holding the dataset in `writing`, so the crash
 * test (scripts/crash-test.ts) can kill the server in that state deterministically. Ignored where
 * `ENVIRONMENT` is `production`.
 */
export async function holdWriting(env: Bindings): Promise<void> {
  const vars = env as Bindings & { DEV_HOLD_WRITING?: string };
  if (vars.DEV_HOLD_WRITING !== "1" || env.ENVIRONMENT === "production") return;
  logLine("warn", "dev: holding a snapshot's writer (DEV_HOLD_WRITING)", {});
  await scheduler.wait(10 * 60_000);
}
