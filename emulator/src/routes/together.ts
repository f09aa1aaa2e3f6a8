import { Hono } from "hono";
import { invalidRequest, notFound } from "../errors";
import type { StoredJob } from "../fine-tuning/store";
import type { AppEnv, Services } from "../services";
import { createTogetherJob } from "../together/create";
import { togetherFileRoutes } from "../together/files";
import { readTogether, renderTogether, togetherEvents } from "../together/render";

/** Together's files and fine-tunes APIs (/together/v1), on the shared job engine. */
export function togetherRoutes(services: Services) {
  const { fineTuning, jobs } = services;
  const load = (id: string): StoredJob => {
    const job = jobs.get(id);
    if (job?.spec.provider !== "together") throw notFound(`Fine-tune job not found: ${id}`, "id", "not_found");
    return job;
  };
  return new Hono<AppEnv>()
    .route("/", togetherFileRoutes(services))
    .post("/fine-tunes", async (c) => {
      const { spec, state } = createTogetherJob(services, c.get("run"), await c.req.text());
      jobs.insert(spec, state);
      return c.json(renderTogether(fineTuning, { spec, state }));
    })
    .get("/fine-tunes", (c) => c.json({ data: jobs.byProvider("together").map((j) => renderTogether(fineTuning, j)) }))
    .get("/fine-tunes/:id", (c) => c.json(renderTogether(fineTuning, load(c.req.param("id")), true)))
    .get("/fine-tunes/:id/events", (c) => {
      const job = load(c.req.param("id"));
      return c.json({ data: togetherEvents(job, readTogether(fineTuning, job)) });
    })
    .post("/fine-tunes/:id/cancel", (c) => {
      const job = load(c.req.param("id"));
      if (!fineTuning.requestCancel(job)) {
        throw invalidRequest(`Fine-tune job ${job.spec.id} is ${readTogether(fineTuning, job).status}; only a job that has not finished can be cancelled.`, "id", "invalid_job_state");
      }
      return c.json(renderTogether(fineTuning, job));
    });
}
