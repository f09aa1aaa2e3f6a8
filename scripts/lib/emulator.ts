/**
 * A standalone OpenAI emulator (`wrangler dev -c emulator/wrangler.jsonc`) on its own port, so a
 * script can reach its `/_emulator` control plane. `wrangler dev -c wrangler.jsonc -c emulator/…`
 * serves only the first Worker on its port, and Distillery's `LOCAL_OPENAI` binding reaches a
 * copy nothing outside can configure; so the bench and the demo point Distillery at this one
 * instead, with the providers' base URLs (precedence 1 in src/llm/providers.ts; see `emulatorVars`).
 */
import { spawnWranglerDev } from "./dev-server.ts";

export interface Emulator {
  /** The origin, e.g. http://127.0.0.1:8790 (OpenAI routes under /v1). */
  url: string;
  /** Replaces a run's config (PUT /_emulator/runs/:run). */
  configure(run: string, config: Record<string, unknown>): Promise<void>;
  stats(run: string): Promise<RunStats>;
  stop(): Promise<void>;
}

export interface RunStats {
  requests: Record<string, number>;
  faults: Record<string, number>;
  rate_limited: number;
  tokens: { prompt: number; completion: number; total: number };
}

/** Starts the emulator alone with fresh state; resolves once it answers. */
export async function startEmulator(port: number, timeoutMs = 90_000, inspectorPort?: number): Promise<Emulator> {
  const dev = await spawnWranglerDev({ configs: ["emulator/wrangler.jsonc"], readyPath: "/_emulator/models", port, inspectorPort, timeoutMs });
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

/** The variables that send every provider's calls to this emulator (OpenAI, Together, Fireworks). */
export function emulatorVars(url: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${url}/v1`,
    TOGETHER_BASE_URL: `${url}/together/v1`,
    FIREWORKS_BASE_URL: `${url}/fireworks`,
    FIREWORKS_ACCOUNT_ID: "demo",
    TOGETHER_PROJECT_ID: "demo",
  };
}
