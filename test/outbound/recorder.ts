/**
 * The outbound recorder: the Worker under test has it as miniflare's `outboundService`, so every
 * global `fetch()` it makes (job webhooks, from the FineTuneJob object) arrives here instead of
 * on the network. Requests to the webhook host are recorded and answered as the test asked;
 * anything else is refused (502), so no test depends on the network. Tests read and configure it through the control host
 * (test/helpers/webhooks.ts), which their own fetch() also reaches through this service.
 *
 * Receivers are keyed by their path, so each test uses its own. State is this isolate's memory:
 * the pool keeps one instance of this Worker for the whole run.
 */
import { CONTROL_HOST, WEBHOOK_HOST, type ReceivedRequest, type ReceiverAnswer } from "./protocol";

interface Receiver {
  answers: ReceiverAnswer[];
  received: ReceivedRequest[];
}

const receivers = new Map<string, Receiver>();

function receiver(path: string): Receiver {
  let r = receivers.get(path);
  if (!r) receivers.set(path, (r = { answers: [{ status: 200 }], received: [] }));
  return r;
}

async function receive(request: Request, url: URL): Promise<Response> {
  const r = receiver(url.pathname);
  r.received.push({ url: request.url, method: request.method, headers: [...request.headers], body: await request.text() });
  const answer = r.answers[Math.min(r.received.length, r.answers.length) - 1]!;
  const headers = answer.location ? { location: answer.location } : undefined;
  const body = answer.status === 204 || (answer.status >= 300 && answer.status < 400) ? null : "receiver says hi";
  return new Response(body, { status: answer.status, headers });
}

/** `PUT /receivers/<path>` with `{answers}` sets a receiver up; `GET` returns what it received. */
async function control(request: Request, url: URL): Promise<Response> {
  const path = url.pathname.replace(/^\/receivers/, "");
  if (!path.startsWith("/")) return new Response("not found", { status: 404 });
  if (request.method === "PUT") {
    const { answers } = (await request.json()) as { answers: ReceiverAnswer[] };
    receivers.set(path, { answers: answers.length ? answers : [{ status: 200 }], received: [] });
    return Response.json({ path });
  }
  return Response.json({ received: receivers.get(path)?.received ?? [] });
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.hostname === CONTROL_HOST) return control(request, url);
    if (url.hostname === WEBHOOK_HOST) return receive(request, url);
    return new Response(`outbound recorder: ${url.origin} is not a test receiver (tests never reach the network)`, { status: 502 });
  },
} satisfies ExportedHandler;
