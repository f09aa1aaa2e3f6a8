import { CONTROL_HOST, WEBHOOK_HOST, type ReceivedRequest, type ReceiverAnswer } from "../outbound/protocol";

/** A webhook request as a receiver got it, headers rebuilt. */
export interface Received {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

export interface WebhookReceiver {
  /** The https URL to give as `webhook_url`. */
  url: string;
  /** What the receiver has been sent, oldest first; with `atLeast`, once it has that many. */
  received(atLeast?: number): Promise<Received[]>;
  /** Lets the answers held (`hold`) go. */
  release(): Promise<void>;
}

/**
 * A webhook receiver of its own, on the outbound recorder (test/outbound/recorder.ts) that takes
 * every fetch() the Worker under test makes. It gives `answers` in turn (the last one repeated);
 * a number is just a status.
 */
export async function webhookReceiver(answers: (number | ReceiverAnswer)[] = [200], location?: string): Promise<WebhookReceiver> {
  const path = `/distillery/${crypto.randomUUID()}`;
  const control = `http://${CONTROL_HOST}/receivers${path}`;
  const body = { answers: answers.map((a) => (typeof a === "number" ? { status: a, ...(location ? { location } : {}) } : a)) };
  const res = await fetch(control, { method: "PUT", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`outbound recorder: ${res.status} ${await res.text()}`);
  return {
    url: `https://${WEBHOOK_HOST}${path}`,
    async received(atLeast = 0) {
      const got = (await (await fetch(`${control}?count=${atLeast}`)).json()) as { received: ReceivedRequest[] };
      return got.received.map((r) => ({ ...r, headers: new Headers(r.headers) }));
    },
    async release() {
      await (await fetch(`${control}/release`, { method: "POST" })).body?.cancel();
    },
  };
}
