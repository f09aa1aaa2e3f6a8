/**
 * A bare pass-through Worker for bench:serve: `/v1/*` goes to `UPSTREAM` (the emulator) with the
 * same method, headers and body, and the upstream's body streams back as it arrives (no buffering,
 * as Distillery's chat route streams SSE). Nothing else: no auth, no parsing, no logging.
 */
interface BareEnv {
  UPSTREAM: string;
}

export default {
  async fetch(request: Request, env: BareEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const upstream = await fetch(new Request(`${env.UPSTREAM}${url.pathname}${url.search}`, request));
    return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
  },
};
