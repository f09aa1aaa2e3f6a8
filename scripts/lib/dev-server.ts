/**
 * Starts `wrangler dev` with Distillery and the OpenAI emulator (offline), on free
 * ports, with fresh local state and a one-off admin token; stops it on exit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DevServer {
  url: string;
  adminToken: string;
  stop(): void;
  /** The server's recent output, for error messages. */
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startDevServer(opts: { timeoutMs?: number; vars?: Record<string, string> } = {}): Promise<DevServer> {
  const [port, inspector] = [await freePort(), await freePort()];
  const adminToken = `adm_${randomBytes(24).toString("base64url")}`;
  const persist = mkdtempSync(join(tmpdir(), "distillery-demo-"));
  const vars = Object.entries({ ADMIN_TOKEN: adminToken, ...opts.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "-c",
    "wrangler.toml",
    "-c",
    "emulator/wrangler.toml",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspector),
    "--persist-to",
    persist,
    "--log-level",
    "warn",
    ...vars,
  ];
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
  process.once("SIGINT", () => {
    stop();
    process.exit(130);
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return { url, adminToken, stop, log: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`wrangler dev did not answer /health in time:\n${output}`);
}
