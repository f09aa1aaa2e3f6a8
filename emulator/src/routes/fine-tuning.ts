import { Hono } from "hono";
import { invalidRequest } from "../errors";
import { buildJobSpec, createJobSchema } from "../fine-tuning/create";
import { validateTrainingFile } from "../fine-tuning/validate";
import { catalogModel, parseFineTunedName } from "../models";
import type { AppEnv, Services } from "../services";
import { tokenizer } from "../tokens";
import { parseOrThrow, readJsonText } from "../validation";

function pageLimit(raw: string | undefined, fallback = 20): number {
  const limit = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidRequest("Invalid 'limit': must be an integer between 1 and 100.", "limit", "invalid_value");
  return limit;
}

/** OpenAI's /v1/fine_tuning/jobs: create (validated synchronously), list, retrieve, events, checkpoints, cancel. */
export function fineTuningRoutes(services: Services) {
  const { fineTuning, files } = services;

  /** The catalogue base a job trains from; fine-tuned models continue from their own base. */
  const fineTunableBase = (model: string): string => {
    const ft = parseFineTunedName(model);
    const base = ft ? (services.fineTuning.modelSpec(model) ? ft.base : undefined) : model;
    if (!base || !catalogModel(base)?.fine_tunable) {
      throw invalidRequest(`Model ${model} is not available for fine-tuning or does not exist.`, "model", "model_not_available");
    }
    return base;
  };

  const checkFile = (id: string, param: "training_file" | "validation_file") => {
    const file = files.get(id);
    if (file?.provider !== "openai") throw invalidRequest(`invalid ${param}: ${id}`, param, "file_not_found");
    if (file.purpose !== "fine-tune") {
      throw invalidRequest(`File ${id} has purpose '${file.purpose}', but fine-tuning requires purpose 'fine-tune'.`, param, "invalid_file_purpose");
    }
  };

  return new Hono<AppEnv>()
    .post("/fine_tuning/jobs", async (c) => {
      const params = parseOrThrow(createJobSchema, readJsonText(await c.req.text()));
      const baseModel = fineTunableBase(params.model);
      checkFile(params.training_file, "training_file");
      if (params.validation_file) checkFile(params.validation_file, "validation_file");
      const tok = tokenizer(catalogModel(baseModel)?.encoding ?? "o200k_base");
      // The file is checked now but the verdict shows only when validation "finishes" on the job's clock.
      const validation = validateTrainingFile(files.text(params.training_file), tok);
      let validationError = validation.valid ? null : { message: validation.errors[0]?.message ?? "Invalid training file.", param: "training_file" };
      if (!validationError && params.validation_file) {
        const v = validateTrainingFile(files.text(params.validation_file), tok);
        const firstLineError = v.errors.find((e) => e.line !== null);
        if (firstLineError) validationError = { message: `Validation file: ${firstLineError.message}`, param: "validation_file" };
      }
      const run = c.get("run");
      const spec = buildJobSpec(params, { run: run.name, config: run.config, now: services.runs.now(run.name), baseModel, validation, validationError });
      const hold = run.config.fine_tuning?.hold_running ? { at: 0 } : null;
      const state = { pauses: [], hold, cancel: null, fail: null, resultFile: null };
      services.jobs.insert(spec, state);
      return c.json(fineTuning.render({ spec, state }));
    })
    .get("/fine_tuning/jobs", (c) => {
      const limit = pageLimit(c.req.query("limit"));
      const metadata: Record<string, string> = {};
      for (const [key, values] of Object.entries(c.req.queries())) {
        const m = /^metadata\[(.+)\]$/.exec(key);
        if (m?.[1] && values[0] !== undefined) metadata[m[1]] = values[0];
      }
      const after = c.req.query("after");
      const { jobs, hasMore } = services.jobs.list({ limit, metadata, ...(after ? { after } : {}) });
      return c.json({ object: "list", data: jobs.map((j) => fineTuning.render(j)), has_more: hasMore });
    })
    .get("/fine_tuning/jobs/:id", (c) => c.json(fineTuning.render(fineTuning.load(c.req.param("id")))))
    .get("/fine_tuning/jobs/:id/events", (c) => c.json(fineTuning.events(c.req.param("id"), c.req.query("after"), pageLimit(c.req.query("limit")))))
    .get("/fine_tuning/jobs/:id/checkpoints", (c) =>
      c.json(fineTuning.checkpoints(c.req.param("id"), c.req.query("after"), pageLimit(c.req.query("limit"), 10))),
    )
    .post("/fine_tuning/jobs/:id/cancel", (c) => c.json(fineTuning.cancel(c.req.param("id"))));
}
