/**
 * A CPU profile of the Worker under `wrangler dev`, through its inspector (Chrome DevTools Protocol
 * over WebSocket: Profiler.start / Profiler.stop), summarised as the functions with the most self
 * time and the longest stretches without a sample of idle time. For finding what holds the isolate.
 */
import { writeFileSync } from "node:fs";

export interface CpuProfiler {
  /** `top`: self time per function; `inclusive`: time with the function anywhere on the stack. */
  stop(): Promise<{ top: { fn: string; url: string; ms: number }[]; inclusive: { fn: string; url: string; ms: number }[]; spans: BusySpan[]; during: (from: number, to: number) => WindowStack }>;
}

/**
 * What the isolate ran during a window of time, given on `monotonicMs()`'s clock (V8's profile
 * timestamps are CLOCK_MONOTONIC microseconds, as `process.hrtime` is): for a slow request, what it
 * waited behind. `runs` are the window's stretches of consecutive samples under one top frame
 * below the root, longest first: a long one is one task that held the isolate.
 */
export interface WindowStack {
  samples: number;
  stack: { fn: string; share: number }[];
  runs: { ms: number; fn: string }[];
}

/** Milliseconds on the clock the profile's timestamps use (CLOCK_MONOTONIC). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** A stretch of consecutive samples none of which was idle: what a request arriving then waited on. */
export interface BusySpan {
  ms: number;
  /** The functions on the stack in most of the span's samples (inclusive), most first, with their share. */
  stack: { fn: string; share: number }[];
}

/** Frames present in nearly every stack; naming them says nothing about a span. */
const GENERIC = new Set(["(root)", "(program)", "(garbage collector)", "(anonymous)", "__name", ""]);

export async function startCpuProfile(inspectorPort: number): Promise<CpuProfiler> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
  const target = targets.find((t) => !/emulator/.test(t.title ?? "")) ?? targets[0]!;
  // The inspector proxy wants a local Origin (Node's WebSocket takes headers as undici's extension).
  const ws = new (WebSocket as unknown as new (url: string, init: unknown) => WebSocket)(target.webSocketDebuggerUrl, {
    headers: { Origin: "http://localhost" },
  });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 1;
  const waiting = new Map<number, (v: any) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data));
    if (msg.id && waiting.has(msg.id)) waiting.get(msg.id)!(msg.result);
  };
  const send = (method: string, params: object = {}) =>
    new Promise<any>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 1000 });
  await send("Profiler.start");
  return {
    async stop() {
      const { profile } = await send("Profiler.stop");
      ws.close();
      if (process.env.BENCH_PROFILE_FILE) writeFileSync(process.env.BENCH_PROFILE_FILE, JSON.stringify(profile));
      const self = new Map<number, number>();
      for (const [i, id] of (profile.samples as number[]).entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      const byFn = new Map<string, { fn: string; url: string; ms: number }>();
      for (const node of profile.nodes as { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]) {
        const ms = self.get(node.id) ?? 0;
        const key = `${node.callFrame.functionName}@${node.callFrame.url}:${node.callFrame.lineNumber}`;
        const e = byFn.get(key) ?? { fn: node.callFrame.functionName || "(anonymous)", url: `${node.callFrame.url.split("/").slice(-2).join("/")}:${node.callFrame.lineNumber}`, ms: 0 };
        e.ms += ms;
        byFn.set(key, e);
      }
      return {
        top: [...byFn.values()].sort((a, b) => b.ms - a.ms).slice(0, 25),
        inclusive: inclusiveTimes(profile),
        spans: busySpans(profile),
        during: (from: number, to: number) => windowStack(profile, from, to),
      };
    },
  };
}

/** Time with each function anywhere on the sampled stack (counted once per sample), most first. */
function inclusiveTimes(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, count = 40): { fn: string; url: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, { fn: string; url: string; ms: number }>();
  profile.samples.forEach((id, i) => {
    if (byId.get(id)!.callFrame.functionName === "(idle)") return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      const key = `${f.functionName}@${f.url}:${f.lineNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const e = totals.get(key) ?? { fn: f.functionName || "(anonymous)", url: `${f.url.split("/").slice(-2).join("/")}:${f.lineNumber}`, ms: 0 };
      e.ms += ms;
      totals.set(key, e);
    }
  });
  return [...totals.values()].sort((a, b) => b.ms - a.ms).slice(0, count);
}

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };

/** The longest busy spans (no idle sample), each with the functions its samples were in. */
function busySpans(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, count = 10): BusySpan[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = new Map<number, string[]>();
  const frames = (id: number): string[] => {
    let names = stackOf.get(id);
    if (names) return names;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName || "(anonymous)";
      if (!GENERIC.has(name)) seen.add(name);
    }
    names = [...seen];
    stackOf.set(id, names);
    return names;
  };
  const spans: { ms: number; from: number; to: number }[] = [];
  let from = -1;
  let ms = 0;
  const close = (to: number) => {
    if (from >= 0) spans.push({ ms, from, to });
    from = -1;
    ms = 0;
  };
  profile.samples.forEach((id, i) => {
    const idle = byId.get(id)!.callFrame.functionName === "(idle)";
    if (idle) return close(i);
    if (from < 0) from = i;
    ms += (profile.timeDeltas[i + 1] ?? 0) / 1000;
  });
  close(profile.samples.length);
  return spans
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map(({ ms, from, to }) => {
      const counts = new Map<string, number>();
      for (let i = from; i < to; i++) for (const fn of frames(profile.samples[i]!)) counts.set(fn, (counts.get(fn) ?? 0) + 1);
      const n = to - from;
      const stack = [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([fn, c]) => ({ fn, share: c / n }));
      return { ms, stack };
    });
}

/** The samples taken between `from` and `to` (monotonic ms): their frames, and their runs under one task's top frame. */
function windowStack(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number }, from: number, to: number): WindowStack {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => byId.get(id)!.callFrame.functionName || "(anonymous)";
  // The frame just below (root): a task's entry ((program), (garbage collector), a handler...).
  const taskOf = (id: number): string => {
    const chain: string[] = [];
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) chain.push(name(p));
    chain.reverse(); // (root), entry, ...
    // The first named frame past the generic wrappers says more than "(anonymous)".
    return chain.slice(1).find((f) => !GENERIC.has(f)) ?? chain[1] ?? "(root)";
  };
  const counts = new Map<string, number>();
  const runs: { ms: number; fn: string }[] = [];
  let t = profile.startTime / 1000;
  let n = 0;
  let run: { ms: number; fn: string } | null = null;
  profile.samples.forEach((id, i) => {
    t += (profile.timeDeltas[i] ?? 0) / 1000;
    if (t < from || t > to) return;
    n++;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = name(at);
      if (!GENERIC.has(f) && !seen.has(f)) {
        seen.add(f);
        counts.set(f, (counts.get(f) ?? 0) + 1);
      }
    }
    const task = taskOf(id);
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (run && run.fn === task) run.ms += ms;
    else {
      run = { ms, fn: task };
      runs.push(run);
    }
  });
  return {
    samples: n,
    stack: [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([fn, c]) => ({ fn, share: c / Math.max(n, 1) })),
    runs: runs.sort((a, b) => b.ms - a.ms).slice(0, 5),
  };
}
