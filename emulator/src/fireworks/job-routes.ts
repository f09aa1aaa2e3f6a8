import { Hono } from "hono";
import type { StoredJob } from "../fine-tuning/store";
import type { AppEnv, Services } from "../services";
import { createFireworksJob } from "./create";
import { failedPrecondition, notFoundG } from "./errors";
import { pageOf } from "./paging";
import { isFinal, readFireworks, renderFireworks } from "./render";

/** Fireworks' supervisedFineTuningJobs: create, get, list, delete and :cancel. */
export function sftJobRoutes(services: Services) {
  const { jobs, fineTuning } = services;
  const load = (account: string, id: string): StoredJob => {
    const job = jobs.get(id);
    if (job?.spec.provider !== "fireworks" || job.spec.dialect?.account !== account) {
      throw notFoundG(`Supervised fine-tuning job accounts/${account}/supervisedFineTuningJobs/${id} not found`);
    }
    return job;
  };
  const base = "/accounts/:account/supervisedFineTuningJobs";
  return new Hono<AppEnv>()
    .post(base, async (c) => {
      const account = c.req.param("account");
      const { spec, state } = createFireworksJob(services, c.get("run"), account, c.req.query("supervisedFineTuningJobId"), await c.req.text());
      jobs.insert(spec, state);
      return c.json(renderFireworks(fineTuning, { spec, state }));
    })
    .get(base, (c) => {
      const account = c.req.param("account");
      const all = jobs.byProvider("fireworks").filter((j) => j.spec.dialect?.account === account);
      const { items, nextPageToken, totalSize } = pageOf(all, c.req.query("pageSize"), c.req.query("pageToken"));
      return c.json({ supervisedFineTuningJobs: items.map((j) => renderFireworks(fineTuning, j)), nextPageToken, totalSize });
    })
    .get(`${base}/:id`, (c) => c.json(renderFireworks(fineTuning, load(c.req.param("account"), c.req.param("id")))))
    .delete(`${base}/:id`, (c) => {
      jobs.delete(load(c.req.param("account"), c.req.param("id")).spec.id);
      return c.json({});
    })
    // Custom method `name:cancel` (the router sees "id:cancel" as one segment).
    .post(`${base}/:idVerb`, (c) => {
      const [id = "", verb = ""] = c.req.param("idVerb").split(":");
      const job = load(c.req.param("account"), id);
      if (verb !== "cancel") throw notFoundG(`Unknown method :${verb} on supervisedFineTuningJobs`);
      const reading = readFireworks(fineTuning, job);
      if (isFinal(reading) || !fineTuning.requestCancel(job)) throw failedPrecondition(`Job ${job.spec.id} is ${reading.state} and cannot be cancelled.`);
      return c.json(renderFireworks(fineTuning, job));
    });
}
