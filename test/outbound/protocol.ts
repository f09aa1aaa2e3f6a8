/** What the outbound recorder (recorder.ts) and its test helper (test/helpers/webhooks.ts) share: a Worker may export only handlers. */
export const WEBHOOK_HOST = "hooks.example.com";
export const CONTROL_HOST = "outbound-recorder.test";

/** One request as the receiver got it. */
export interface ReceivedRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body: string;
}

/** How the receiver answers its n-th request: `answers[n]`, the last one repeated (default 200). */
export interface ReceiverAnswer {
  status: number;
  location?: string;
  /** Keep the request waiting until the test releases the receiver. */
  hold?: boolean;
}
