/**
 * Starts `wrangler dev` offline, on free ports, with fresh local state; stops it on exit.
 * `startDevServer` runs Distillery beside the OpenAI emulator with a one-off admin token.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface WranglerDev {
  url: string;
  /** The wrangler process (workerd runs as its descendant), and the inspector's port. */
  pid: number;
  inspectorPort: number;
  stop(): void;
  /** The server's recent output, for error messages. */
  log(): string;
}

export interface DevServer extends WranglerDev {
  adminToken: string;
}

/** A TCP port free on loopback right now. */
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

/** `wrangler dev` with these configs (the first is served on the port), ready once `readyPath` answers 2xx. */
export async function spawnWranglerDev(opts: {
  configs: string[];
  readyPath: string;
  port?: number;
  inspectorPort?: number;
  vars?: Record<string, string>;
  timeoutMs?: number;
  /** Sees every line of output as it comes (the kept log is only its tail). */
  onLine?: (line: string) => void;
}): Promise<WranglerDev> {
  const port = opts.port ?? (await freePort());
  const inspector = opts.inspectorPort ?? (await freePort());
  const persist = mkdtempSync(join(tmpdir(), "distillery-dev-"));
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    ...opts.configs.flatMap((c) => ["-c", c]),
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
    ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let partial = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
    if (!opts.onLine) return;
    const lines = (partial + b.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) opts.onLine(line);
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
    if (child.exitCode !== null) throw new Error(`wrangler dev (${opts.configs.join(", ")}) exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}${opts.readyPath}`);
      if (res.ok) return { url, pid: child.pid!, inspectorPort: inspector, stop, log: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`wrangler dev (${opts.configs.join(", ")}) did not answer ${opts.readyPath} in time:\n${output}`);
}

/** Distillery and the emulator, offline, with a one-off admin token. */
export async function startDevServer(
  opts: { port?: number; inspectorPort?: number; timeoutMs?: number; vars?: Record<string, string>; onLine?: (line: string) => void } = {},
): Promise<DevServer> {
  const adminToken = `adm_${randomBytes(24).toString("base64url")}`;
  const dev = await spawnWranglerDev({
    configs: ["wrangler.toml", "emulator/wrangler.toml"],
    readyPath: "/health",
    port: opts.port,
    inspectorPort: opts.inspectorPort,
    vars: { ADMIN_TOKEN: adminToken, ...opts.vars },
    timeoutMs: opts.timeoutMs,
    onLine: opts.onLine,
  });
  return { ...dev, adminToken };
}
