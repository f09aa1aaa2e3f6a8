import { createApp } from "./app";
import { runScheduled } from "./cron/scheduled";
import type { Bindings } from "./env";
import { configureClock } from "./lib/clock";
import { registerPromotionHook } from "./promotion/hook";
import { dispatchQueue } from "./queues/dispatch";

export { FineTuneJob } from "./durable/fine-tune-job";
export { LocalVectorIndex } from "./durable/local-vector-index";
export { ModelDeployment } from "./durable/model-deployment";
export { ProviderLimiter } from "./durable/provider-limiter";
export { BaseDeployment } from "./durable/base-deployment";
export { Tenant } from "./durable/tenant";

const app = createApp();
// Eval runs ask the promotion rule on completion (src/evals/runs/decision.ts).
registerPromotionHook();

/** Composition only: HTTP, queue consumers and cron each go to their own module. */
export default {
  fetch: (request, env, ctx) => {
    configureClock(env);
    return app.fetch(request, env, ctx);
  },
  queue: (batch, env, ctx) => {
    configureClock(env);
    return dispatchQueue(batch, env, ctx);
  },
  scheduled: (controller, env, ctx) => {
    configureClock(env);
    return runScheduled(controller, env, ctx);
  },
} satisfies ExportedHandler<Bindings>;
