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
  /** What the receiver has been sent so far, oldest first. */
  received(): Promise<Received[]>;
}

/**
 * A webhook receiver of its own, on the outbound recorder (test/outbound/recorder.ts) that takes
 * every fetch() the Worker under test makes: it answers `statuses` in turn (the last one
 * repeated), a 3xx with a Location of `location`.
 */
export async function webhookReceiver(statuses: number[] = [200], location?: string): Promise<WebhookReceiver> {
  const path = `/distillery/${crypto.randomUUID()}`;
  const answers: ReceiverAnswer[] = statuses.map((status) => ({ status, ...(location ? { location } : {}) }));
  const res = await fetch(`http://${CONTROL_HOST}/receivers${path}`, { method: "PUT", body: JSON.stringify({ answers }) });
  if (!res.ok) throw new Error(`outbound recorder: ${res.status} ${await res.text()}`);
  return {
    url: `https://${WEBHOOK_HOST}${path}`,
    async received() {
      const body = (await (await fetch(`http://${CONTROL_HOST}/receivers${path}`)).json()) as { received: ReceivedRequest[] };
      return body.received.map((r) => ({ ...r, headers: new Headers(r.headers) }));
    },
  };
}
