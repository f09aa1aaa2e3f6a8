/** The bench's use of the standalone emulator (scripts/lib/emulator.ts). */
export { freePort } from "../../scripts/lib/dev-server.ts";
export { type Emulator, type RunStats, startEmulator } from "../../scripts/lib/emulator.ts";
import type { RunStats } from "../../scripts/lib/emulator.ts";

/** Provider calls in a run's stats that count against `rpm`: chat completions and embeddings. */
export function ratedCalls(stats: RunStats): { chat: number; embeddings: number } {
  let chat = 0;
  let embeddings = 0;
  for (const [key, n] of Object.entries(stats.requests)) {
    if (key.endsWith("/chat/completions")) chat += n;
    else if (key.endsWith("/embeddings")) embeddings += n;
  }
  return { chat, embeddings };
}
