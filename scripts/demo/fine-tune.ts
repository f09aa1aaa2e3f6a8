/**
 * Demo step: fine-tune a student on the demo dataset with each provider at once, printing each
 * job's state changes and the provider's events as they come, then the tenant's model registry.
 */
import type { DistilleryClient } from "../lib/client.ts";
import type { Emulator } from "../lib/emulator.ts";
import { bold, dim, emulated, green, note, red, usd, yellow } from "../lib/ui.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The emulator run the jobs' provider calls land in (the X-Request-Id prefix before ":"). */
const RUN = "demo-ft";

/** A student per provider: a smaller OpenAI model while OpenAI still trains, and open-weights Llama 3.1 8B. */
const JOBS = [
  { provider: "openai", base_model: "gpt-4.1-mini-2025-04-14", hyperparameters: { n_epochs: 3 } },
  { provider: "together", base_model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", hyperparameters: { n_epochs: 3, lora_r: 16 } },
  { provider: "fireworks", base_model: "accounts/fireworks/models/llama-v3p1-8b-instruct", hyperparameters: { n_epochs: 3, lora_rank: 16 } },
] as const;

const TAG: Record<string, (s: string) => string> = { openai: green, together: yellow, fireworks: red };

export interface FineTuneSummary {
  jobs: { id: string; provider: string; state: string; model: string | null; costUsd: number }[];
}

export async function fineTuneStudents(api: DistilleryClient, emulator: Emulator, datasetId: string): Promise<FineTuneSummary> {
  // Ten emulated minutes of training pass in about ten seconds.
  await emulator.configure(RUN, { clock: { speed: 60 }, fine_tuning: { durations_ms: { validating: 60_000, queued: 60_000, running: 480_000 } } });
  note(dim(`the emulator's clock runs 60× for these jobs; Distillery polls every 1–2 s here (JOB_POLL_FIRST_MS/JOB_POLL_MAX_MS; 15 s → once a minute deployed, near the provider's estimated end)`));

  // OpenAI trains students only until its cutoff (2027-01-06): the catalog says whether it still does.
  const catalog = await api.get("/api/catalog");
  const open = new Set(catalog.providers.filter((p: any) => p.fine_tuning?.accepting_new_jobs).map((p: any) => p.id));
  const closed = JOBS.filter((j) => !open.has(j.provider)).map((j) => j.provider);
  if (closed.length) note(dim(`${closed.join(", ")} no longer ${closed.length === 1 ? "takes" : "take"} new fine-tuning jobs (GET /api/catalog): training open-weights students only`));

  const jobs = [];
  for (const spec of JOBS.filter((j) => open.has(j.provider))) {
    const job = await api.post("/api/jobs", { dataset: datasetId, ...spec, suffix: "citations", evaluate: true }, {
      "Idempotency-Key": `demo-job-${spec.provider}`,
      "X-Request-Id": `${RUN}:${spec.provider}`,
    });
    note(`${TAG[spec.provider]!(spec.provider.padEnd(9))} job ${bold(job.id)} on ${spec.base_model}: ${job.dataset.train.lines} train / ${job.dataset.eval?.lines ?? 0} eval examples pinned (sha256 ${job.dataset.train.sha256.slice(0, 12)}…), est. ${usd(job.cost.estimate_usd ?? 0)}`);
    jobs.push(job);
  }

  const seen = new Map<string, Set<string>>(jobs.map((j) => [j.id, new Set<string>()]));
  const done = new Map<string, any>();
  const deadline = Date.now() + 180_000;
  while (done.size < jobs.length) {
    if (Date.now() > deadline) throw new Error(`fine-tune jobs still running after 3 minutes: ${jobs.filter((j) => !done.has(j.id)).map((j) => j.id).join(", ")}`);
    await sleep(500);
    for (const j of jobs) {
      if (done.has(j.id)) continue;
      const job = await api.get(`/api/jobs/${j.id}`);
      const tag = TAG[job.provider]!(job.provider.padEnd(9));
      const ids = seen.get(j.id)!;
      let metrics = 0;
      for (const e of job.events) {
        if (ids.has(e.id)) continue;
        ids.add(e.id);
        if (e.source === "distillery" && e.type === "state") note(`${tag} ${bold(`→ ${e.message}`)}`);
        else if (e.type === "metrics") metrics++;
        else note(`${tag} ${dim(e.message)}`);
        // One line per batch of training metrics, not one per step.
        if (e.type === "metrics" && metrics === 1) note(`${tag} ${dim(e.message)}`);
      }
      if (["succeeded", "failed", "cancelled"].includes(job.state)) done.set(j.id, job);
    }
  }

  for (const job of done.values()) {
    const secs = job.timings.duration_s;
    note(
      emulated(
        `${TAG[job.provider]!(job.provider.padEnd(9))} ${job.state === "succeeded" ? green(job.state) : red(job.state)} in ${secs} s: ` +
          `${bold(job.fine_tuned_model ?? job.error?.message ?? "")}` +
          (job.trained_tokens ? dim(` (${job.trained_tokens.toLocaleString()} trained tokens, $${(job.cost.actual_usd ?? 0).toFixed(4)} at catalog prices)`) : ""),
      ),
    );
  }
  const registry = await api.get("/api/models");
  note(`model registry: active ${registry.active ?? dim("none (calls use the teacher)")}; ${registry.candidates.length} candidate(s):`);
  for (const m of registry.candidates) {
    note(emulated(`  ${m.id} ${dim(`${m.fine_tune_provider}, from ${m.base_model}, ${m.servable ? "servable now" : "servable once deployed"}`)}`));
  }
  return {
    jobs: [...done.values()].map((j) => ({ id: j.id, provider: j.provider, state: j.state, model: j.fine_tuned_model ?? null, costUsd: j.cost.actual_usd ?? 0 })),
  };
}
