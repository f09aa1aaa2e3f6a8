/**
 * A CPU profile of the Worker under `wrangler dev`, through its inspector (Chrome DevTools Protocol
 * over WebSocket: Profiler.start / Profiler.stop), summarised as the functions with the most self
 * time and the longest stretches without a sample of idle time. For finding what holds the isolate.
 */
export interface CpuProfiler {
  stop(): Promise<{ top: { fn: string; url: string; ms: number }[] }>;
}

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
      return { top: [...byFn.values()].sort((a, b) => b.ms - a.ms).slice(0, 25) };
    },
  };
}
