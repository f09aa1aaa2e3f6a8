/**
 * The outbound recorder: the Worker under test has it as miniflare's `outboundService`, so every
 * global `fetch()` it makes (job webhooks, from the FineTuneJob object) arrives here instead of
 * on the network. Requests to the webhook host are recorded and answered as the test asked;
 * anything else is refused (502), so no test depends on the network. Tests read and configure it
 * through the control host (test/helpers/webhooks.ts), which their own fetch() also reaches
 * through this service.
 *
 * Receivers are keyed by their path, so each test uses its own. They live in one Durable Object,
 * so that a held answer (`hold`) can wait for the test's release, a request to the same object.
 */
import { DurableObject } from "cloudflare:workers";
import { CONTROL_HOST, WEBHOOK_HOST, type ReceivedRequest, type ReceiverAnswer } from "./protocol";

interface Env {
  RECEIVERS: DurableObjectNamespace<Receivers>;
}

interface Receiver {
  answers: ReceiverAnswer[];
  received: ReceivedRequest[];
  /** Held answers waiting for a release. */
  held: (() => void)[];
  /** Readers waiting for the count of requests received to reach theirs. */
  waiting: { count: number; wake: () => void }[];
}

export class Receivers extends DurableObject<Env> {
  private readonly receivers = new Map<string, Receiver>();

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    return url.hostname === CONTROL_HOST ? this.control(request, url) : this.receive(request, url);
  }

  private receiver(path: string): Receiver {
    let r = this.receivers.get(path);
    if (!r) this.receivers.set(path, (r = { answers: [{ status: 200 }], received: [], held: [], waiting: [] }));
    return r;
  }

  private async receive(request: Request, url: URL): Promise<Response> {
    const r = this.receiver(url.pathname);
    r.received.push({ url: request.url, method: request.method, headers: [...request.headers], body: await request.text() });
    const answer = r.answers[Math.min(r.received.length, r.answers.length) - 1]!;
    for (const w of r.waiting.filter((w) => r.received.length >= w.count)) w.wake();
    r.waiting = r.waiting.filter((w) => r.received.length < w.count);
    if (answer.hold) await new Promise<void>((resolve) => r.held.push(resolve));
    const headers = answer.location ? { location: answer.location } : undefined;
    const body = answer.status === 204 || (answer.status >= 300 && answer.status < 400) ? null : "receiver says hi";
    return new Response(body, { status: answer.status, headers });
  }

  /**
   * `PUT /receivers/<path>` with `{answers}` sets a receiver up; `GET /receivers/<path>[?count=n]`
   * returns what it received (once it has at least n); `POST /receivers/<path>/release` lets its
   * held answers go.
   */
  private async control(request: Request, url: URL): Promise<Response> {
    const release = url.pathname.endsWith("/release");
    const path = url.pathname.replace(/^\/receivers/, "").replace(/\/release$/, "");
    if (!path.startsWith("/")) return new Response("not found", { status: 404 });
    if (request.method === "PUT") {
      const { answers } = (await request.json()) as { answers: ReceiverAnswer[] };
      this.receivers.set(path, { answers: answers.length ? answers : [{ status: 200 }], received: [], held: [], waiting: [] });
      return Response.json({ path });
    }
    const r = this.receiver(path);
    if (release) {
      const held = r.held.splice(0);
      for (const go of held) go();
      return Response.json({ released: held.length });
    }
    const count = Number(url.searchParams.get("count") ?? 0);
    if (r.received.length < count) await new Promise<void>((wake) => r.waiting.push({ count, wake }));
    return Response.json({ received: r.received });
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const host = new URL(request.url).hostname;
    if (host === CONTROL_HOST || host === WEBHOOK_HOST) return env.RECEIVERS.get(env.RECEIVERS.idFromName("all")).fetch(request);
    return new Response(`outbound recorder: ${host} is not a test receiver (tests never reach the network)`, { status: 502 });
  },
} satisfies ExportedHandler<Env>;
