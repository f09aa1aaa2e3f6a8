import { Hono } from "hono";
import { z } from "zod";
import { notFound } from "../errors";
import { validateTrainingFile } from "../fine-tuning/validate";
import { catalogModel } from "../models";
import { runConfigSchema } from "../runs/config";
import type { AppEnv, Services } from "../services";
import { tokenizer } from "../tokens";
import { parseOrThrow, readJsonText } from "../validation";

const advanceSchema = z.strictObject({ ms: z.number().int().min(0) });
const failSchema = z.strictObject({ message: z.string().min(1).default("The job failed due to an internal error.") });
const holdSchema = z.strictObject({ hold: z.boolean().default(true) });
const providerSchema = z.enum(["openai", "together", "fireworks"]).default("openai");

/** The control plane under /_emulator: runs, clocks, stats, job faults, file validation. */
export function controlRoutes(services: Services) {
  const { runs, limiter, fineTuning } = services;
  const body = async (req: Request) => {
    const text = await req.text();
    return text.trim() ? readJsonText(text) : {};
  };
  const describe = (name: string) => {
    const run = runs.get(name);
    return { run: name, configured: run.configured, config: run.config, clock: { now_ms: runs.now(name), speed: run.speed }, stats: runs.stats(name) };
  };

  return new Hono<AppEnv>()
    .put("/runs/:run", async (c) => {
      const name = c.req.param("run");
      const config = parseOrThrow(runConfigSchema, await body(c.req.raw));
      runs.get(name);
      runs.put(name, config);
      limiter.reset(name);
      return c.json(describe(name));
    })
    .get("/runs/:run", (c) => c.json(describe(c.req.param("run"))))
    .delete("/runs/:run", (c) => {
      const name = c.req.param("run");
      limiter.reset(name);
      return c.json({ run: name, deleted: runs.delete(name) });
    })
    .post("/runs/:run/clock/advance", async (c) => {
      const name = c.req.param("run");
      const { ms } = parseOrThrow(advanceSchema, await body(c.req.raw));
      return c.json({ run: name, now_ms: runs.advance(name, ms) });
    })
    .get("/runs/:run/stats", (c) => c.json(runs.stats(c.req.param("run"))))
    .get("/fine_tuning/jobs", (c) => {
      // Every job of one provider (optionally one run), so tests can assert exactly what the emulator holds.
      const provider = parseOrThrow(providerSchema, c.req.query("provider"));
      const run = c.req.query("run");
      const data = services.jobs.byProvider(provider, run).map((job) => ({
        provider,
        id: job.spec.id,
        run: job.spec.run,
        status: services.jobStatus(job),
        engine_status: fineTuning.view(job).status,
        model: job.spec.model,
        output_model: job.spec.modelName,
      }));
      return c.json({ data });
    })
    .post("/fine_tuning/jobs/:id/fail", async (c) => {
      const { message } = parseOrThrow(failSchema, await body(c.req.raw));
      return c.json(services.renderJob(fineTuning.fail(c.req.param("id"), message)));
    })
    .post("/fine_tuning/jobs/:id/hold", async (c) => {
      const { hold } = parseOrThrow(holdSchema, await body(c.req.raw));
      return c.json(services.renderJob(fineTuning.hold(c.req.param("id"), hold)));
    })
    .get("/files/:id/validation", (c) => {
      const id = c.req.param("id");
      if (!services.files.get(id)) throw notFound(`No such File object: ${id}`, "id");
      const model = catalogModel(c.req.query("model") ?? "");
      const result = validateTrainingFile(services.files.text(id), tokenizer(model?.encoding ?? "o200k_base"));
      return c.json({ valid: result.valid, examples: result.examples, tokens: result.tokens, errors: result.errors });
    })
    .get("/models", (c) => c.json({ data: services.listModels() }));
}
