/**
 * bench:serve's measuring tools: a closed-loop load of N clients, each request's total time and
 * (for streams) its time to first byte, and the CPU a workerd process spent, read from /proc.
 */
import { readdirSync, readFileSync } from "node:fs";
import { quantile } from "./lib/stats.ts";

/** Clock ticks per second of /proc's utime/stime (USER_HZ, 100 on Linux everywhere). */
const TICKS_PER_S = 100;

export interface Sample {
  ms: number;
  /** Time to the first byte of the body. */
  ttfbMs: number;
}

export interface LoadResult {
  samples: Sample[];
  wallMs: number;
  failures: number;
  firstError?: string;
}

/** Runs `total` requests from `clients` concurrent clients, each sending its next when the last ends. */
export async function load(clients: number, total: number, send: () => Promise<Response>): Promise<LoadResult> {
  const samples: Sample[] = [];
  let failures = 0;
  let firstError: string | undefined;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        next++;
        const start = performance.now();
        try {
          const res = await send();
          const reader = res.body!.getReader();
          let ttfb = NaN;
          const body: Uint8Array[] = [];
          for (;;) {
            const { done, value } = await reader.read();
            if (Number.isNaN(ttfb)) ttfb = performance.now() - start;
            if (done) break;
            body.push(value);
          }
          if (!res.ok) throw new Error(`${res.status} ${Buffer.concat(body).toString().slice(0, 300)}`);
          samples.push({ ms: performance.now() - start, ttfbMs: ttfb });
        } catch (err) {
          failures++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
      }
    }),
  );
  return { samples, wallMs: performance.now() - t0, failures, firstError };
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  ttfbP50: number;
  ttfbP99: number;
  rps: number;
}

export function summarise(r: LoadResult): Summary {
  const ms = r.samples.map((s) => s.ms).sort((a, b) => a - b);
  const ttfb = r.samples.map((s) => s.ttfbMs).sort((a, b) => a - b);
  return {
    n: ms.length,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    ttfbP50: quantile(ttfb, 0.5),
    ttfbP99: quantile(ttfb, 0.99),
    rps: (ms.length / r.wallMs) * 1000,
  };
}

/** The workerd processes under a process (wrangler's), found through /proc's parent links. */
export function workerdPids(root: number): number[] {
  const children = new Map<number, number[]>();
  const comm = new Map<number, string>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // comm is in parentheses and may hold spaces: the fields after the last ')' are fixed.
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      const ppid = Number(fields[1]);
      const pid = Number(name);
      comm.set(pid, stat.slice(stat.indexOf("(") + 1, close));
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // exited while listing
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (comm.get(child) === "workerd") found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** CPU seconds (user + system) each process has used so far, by pid. */
export function cpuSeconds(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the comm.
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S);
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU seconds used between two readings by the processes alive at both (one that exited or began in between is left out). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, t] of after) if (before.has(pid)) s += t - before.get(pid)!;
  return s;
}
