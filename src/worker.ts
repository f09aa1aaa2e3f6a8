import { createApp } from "./app";
import { runScheduled } from "./cron/scheduled";
import type { Bindings } from "./env";
import { dispatchQueue } from "./queues/dispatch";

export { FineTuneJob } from "./durable/fine-tune-job";
export { LocalVectorIndex } from "./durable/local-vector-index";
export { Tenant } from "./durable/tenant";

const app = createApp();

/** Composition only: HTTP, queue consumers and cron each go to their own module. */
export default {
  fetch: app.fetch,
  queue: dispatchQueue,
  scheduled: runScheduled,
} satisfies ExportedHandler<Bindings>;
