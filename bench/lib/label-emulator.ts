/**
 * A standalone OpenAI emulator (`wrangler dev -c emulator/wrangler.toml`) on its own port, so the
 * bench can reach its `/_emulator` control plane. `wrangler dev -c wrangler.toml -c emulator/…`
 * serves only the first Worker on its port, and Distillery's `LOCAL_OPENAI` binding reaches a
 * copy nothing outside can configure; so the bench points Distillery at this one instead, with
 * `OPENAI_BASE_URL` (precedence 1 in src/llm/providers.ts), and configures it here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the emulator alone with fresh state; resolves once it answers. */
export async function startEmulator(port: number, timeoutMs = 90_000): Promise<Emulator> {
  const inspector = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "distillery-bench-emulator-"));
  const args = ["node_modules/wrangler/bin/wrangler.js", "dev", "-c", "emulator/wrangler.toml", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--persist-to", persist, "--log-level", "warn"];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  };
  process.once("exit", stop);

  const url = `http://127.0.0.1:${port}`;
  const control = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${url}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  const emulator: Emulator = {
    url,
    configure: async (run, config) => void (await control("PUT", `/runs/${encodeURIComponent(run)}`, config)),
    stats: (run) => control("GET", `/runs/${encodeURIComponent(run)}/stats`),
    stop,
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`emulator's wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/_emulator/models`);
      if (res.ok) return emulator;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`the emulator did not answer in time:\n${output}`);
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
