/**
 * A standalone OpenAI emulator (`wrangler dev -c emulator/wrangler.toml`) on its own port, so the
 * bench can reach its `/_emulator` control plane. `wrangler dev -c wrangler.toml -c emulator/…`
 * serves only the first Worker on its port, and Distillery's `LOCAL_OPENAI` binding reaches a
 * copy nothing outside can configure; so the bench points Distillery at this one instead, with
 * `OPENAI_BASE_URL` (precedence 1 in src/llm/providers.ts), and configures it here.
 */
import { spawnWranglerDev } from "../../scripts/lib/dev-server.ts";

export { freePort } from "../../scripts/lib/dev-server.ts";

export interface Emulator {
  /** The origin, e.g. http://127.0.0.1:8790 (OpenAI routes under /v1). */
  url: string;
  /** Replaces a run's config (PUT /_emulator/runs/:run). */
  configure(run: string, config: Record<string, unknown>): Promise<void>;
  stats(run: string): Promise<RunStats>;
  stop(): void;
}

export interface RunStats {
  requests: Record<string, number>;
  faults: Record<string, number>;
  rate_limited: number;
  tokens: { prompt: number; completion: number; total: number };
}

/** Starts the emulator alone with fresh state; resolves once it answers. */
export async function startEmulator(port: number, timeoutMs = 90_000): Promise<Emulator> {
  const dev = await spawnWranglerDev({ configs: ["emulator/wrangler.toml"], readyPath: "/_emulator/models", port, timeoutMs });
  const control = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${dev.url}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  return {
    url: dev.url,
    configure: async (run, config) => void (await control("PUT", `/runs/${encodeURIComponent(run)}`, config)),
    stats: (run) => control("GET", `/runs/${encodeURIComponent(run)}/stats`),
    stop: dev.stop,
  };
}

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
