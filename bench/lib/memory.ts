/**
 * Peak memory of a `wrangler dev` under load: the workerd process's peak RSS (VmHWM in
 * /proc/<pid>/status, reset between phases through clear_refs) and the Worker isolate's JS heap,
 * sampled through wrangler's inspector (Runtime.getHeapUsage), which is what production's 128 MB
 * limit applies to.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

/** The workerd processes started under `rootPid` (wrangler's child). */
export function workerdPids(rootPid: number): number[] {
  const parent = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parent.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === rootPid) return true;
    return false;
  };
  return [...names].filter(([pid, name]) => name === "workerd" && under(pid)).map(([pid]) => pid);
}

/** Peak resident memory (bytes) of these processes since their last reset, summed. */
export function peakRss(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m) total += Number(m[1]) * 1024;
  }
  return total;
}

/** Resets the peak RSS of these processes to their current RSS (our own processes only). */
export function resetPeakRss(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      // not permitted here: the peak then covers the process's lifetime
    }
  }
}

/**
 * Samples the Worker isolate's used JS heap through the inspector; `peak()` since the last `reset()`.
 * Each sample first collects garbage (HeapProfiler.collectGarbage), so it reads what is live, not
 * garbage V8 has not yet needed to collect (wrangler dev's isolate has no 128 MB limit pushing it to):
 * the peak of the live heap over the samples, every `intervalMs`.
 */
export class HeapSampler {
  #ws: WebSocket | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #peak = 0;
  #id = 0;

  static async connect(inspectorPort: number, intervalMs = 1000): Promise<HeapSampler | null> {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl?: string; title?: string }[];
      const target = targets.find((t) => t.webSocketDebuggerUrl && !/emulator/i.test(t.title ?? "")) ?? targets.find((t) => t.webSocketDebuggerUrl);
      if (!target?.webSocketDebuggerUrl) return null;
      const sampler = new HeapSampler();
      // The inspector proxy wants a local Origin (Node's WebSocket takes headers as undici's extension).
      const ws = new (WebSocket as unknown as new (url: string, init: unknown) => WebSocket)(target.webSocketDebuggerUrl, {
        headers: { Origin: "http://localhost" },
      });
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error("inspector connection failed"));
      });
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as { result?: { usedSize?: number } };
        const used = msg.result?.usedSize;
        if (typeof used === "number") sampler.#peak = Math.max(sampler.#peak, used);
      };
      sampler.#ws = ws;
      sampler.#timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(JSON.stringify({ id: ++sampler.#id, method: "HeapProfiler.collectGarbage" }));
        ws.send(JSON.stringify({ id: ++sampler.#id, method: "Runtime.getHeapUsage" }));
      }, intervalMs);
      return sampler;
    } catch {
      return null;
    }
  }

  reset(): void {
    this.#peak = 0;
  }

  peak(): number {
    return this.#peak;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#ws?.close();
  }
}
