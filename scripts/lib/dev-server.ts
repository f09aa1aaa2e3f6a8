/**
 * Starts `wrangler dev` offline, on free ports (or given ones), with fresh local state; stops it on exit.
 * `startDevServer` runs Distillery beside the OpenAI emulator with a one-off admin token.
 *
 * Nothing secret goes on a command line (anyone on the machine can read `ps`): variables and
 * secrets are written to an env file only this user can read, passed with `--env-file` (which
 * also keeps a developer's own `.dev.vars` out of a scripted run). wrangler runs in its own
 * process group, so stopping it stops workerd too; its temporary directory (state and env file)
 * is removed when it stops, and when this process exits or is interrupted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAssets } from "../build-assets.ts";

export interface WranglerDev {
  url: string;
  /** The wrangler process (workerd runs as its descendant), and the inspector's port. */
  pid: number;
  inspectorPort: number;
  /** Stops wrangler and workerd (the whole process group) and removes the temporary directory. */
  stop(): Promise<void>;
  /** The server's recent output, for error messages. */
  log(): string;
  /** The temporary directory holding the local state (`state/`) while it runs. */
  dir: string;
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

/** `KEY=value` lines for wrangler's env file (dotenv syntax: values quoted, so JSON and `#` survive). */
function envFile(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => {
      if (/['\n]/.test(v)) throw new Error(`${k}: a value for wrangler's env file cannot hold a quote or a newline`);
      return `${k}='${v}'`;
    })
    .join("\n") + "\n";
}

/** Every group still running, stopped synchronously if this process exits without stopping them. */
const running = new Set<() => void>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const kill of running) kill();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const kill of running) kill();
      process.exit(130);
    });
  }
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
  // Distillery's config serves static assets from a built folder, which wrangler refuses to start without.
  if (opts.configs.includes("wrangler.jsonc")) buildAssets();
  const port = opts.port ?? (await freePort());
  const inspector = opts.inspectorPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "distillery-dev-"));
  const persist = join(dir, "state");
  mkdirSync(persist);
  const envPath = join(dir, "dev.env");
  writeFileSync(envPath, envFile(opts.vars ?? {}), { mode: 0o600 });
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
    "--env-file",
    envPath,
    "--log-level",
    "warn",
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    // Offline: no metrics, and no fetch of the `Request.cf` placeholder from workers.cloudflare.com
    // (miniflare would wait up to 3 s for it, then warn).
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: process.env.CI ?? "1" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a signal to -pid reaches wrangler and the workerd it started.
    detached: true,
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
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const killNow = () => {
    killGroup("SIGKILL");
    removeDir();
  };
  hookExit();
  running.add(killNow);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      running.delete(killNow);
      killGroup("SIGTERM");
      const timer = setTimeout(() => killGroup("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      // workerd may outlive wrangler for a moment: make sure the group is gone before removing its state.
      killGroup("SIGKILL");
      removeDir();
    })());

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev (${opts.configs.join(", ")}) exited (${child.exitCode}):\n${output}`);
    }
    try {
      const res = await fetch(`${url}${opts.readyPath}`);
      if (res.ok) return { url, pid: child.pid!, inspectorPort: inspector, stop, log: () => output, dir };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev (${opts.configs.join(", ")}) did not answer ${opts.readyPath} in time:\n${output}`);
}

/** Distillery and the emulator, offline, with a one-off admin token. */
export async function startDevServer(
  opts: { timeoutMs?: number; port?: number; inspectorPort?: number; vars?: Record<string, string>; onLine?: (line: string) => void } = {},
): Promise<DevServer> {
  const adminToken = `adm_${randomBytes(24).toString("base64url")}`;
  const dev = await spawnWranglerDev({
    configs: ["wrangler.jsonc", "emulator/wrangler.jsonc"],
    readyPath: "/health",
    port: opts.port,
    inspectorPort: opts.inspectorPort,
    vars: { ADMIN_TOKEN: adminToken, ...opts.vars },
    timeoutMs: opts.timeoutMs,
    onLine: opts.onLine,
  });
  return { ...dev, adminToken };
}
