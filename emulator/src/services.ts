import { modelNotFound } from "./errors";
import { FileStore } from "./files/store";
import { DatasetStore } from "./fireworks/datasets";
import { DeploymentStore } from "./fireworks/deployments";
import { servedLora } from "./fireworks/served";
import { readFireworks, renderFireworks } from "./fireworks/render";
import { FineTuning } from "./fine-tuning/service";
import { JobStore, type StoredJob } from "./fine-tuning/store";
import { MODELS, catalogModel, type ModelSpec } from "./models";
import { fineTunedRate } from "./profiles/config";
import { profileFor, type Profile } from "./profiles/resolve";
import { RateLimiter } from "./runs/rate-limit";
import { RunStore, type Run } from "./runs/store";
import { TogetherDeployments } from "./together/deployments";
import { readTogether, renderTogether } from "./together/render";
import { UploadStore } from "./uploads/store";

/** Everything the routes use, built once per Durable Object instance. */
export interface Services {
  runs: RunStore;
  files: FileStore;
  jobs: JobStore;
  fineTuning: FineTuning;
  datasets: DatasetStore;
  /** Fireworks deployments and deployed models (LoRA addons). */
  deployments: DeploymentStore;
  uploads: UploadStore;
  limiter: RateLimiter;
  /** Together's dedicated deployments (2.0 endpoints API). */
  togetherDeployments: TogetherDeployments;
  /** A catalogue model or a fine-tuned model that exists now; throws OpenAI's 404 otherwise. */
  resolveModel(id: string): ModelSpec;
  /** Catalogue models plus succeeded fine-tuned ones. */
  listModels(): ModelSpec[];
  /** How a model answers (src/profiles/): the teacher, a base student, or a student fine-tuned on its job's examples. */
  profileFor(id: string): Profile;
  /** A job as its own provider's API shows it (the control plane answers with this). */
  renderJob(job: StoredJob): unknown;
  /** The job's status in its provider's words. */
  jobStatus(job: StoredJob): string;
}

export function createServices(sql: SqlStorage): Services {
  const runs = new RunStore(sql);
  const files = new FileStore(sql);
  const jobs = new JobStore(sql);
  const fineTuning = new FineTuning(jobs, files, runs);
  const deployments = new DeploymentStore(sql, runs);
  const togetherDeployments = new TogetherDeployments(sql, runs, jobs, fineTuning);
  return {
    runs,
    files,
    jobs,
    fineTuning,
    datasets: new DatasetStore(sql, files),
    deployments,
    uploads: new UploadStore(sql, files),
    limiter: new RateLimiter((run) => runs.bump(run, "rate_limited", "budget")),
    togetherDeployments,
    resolveModel(id) {
      // A Together deployment's qualified name answers as the fine-tune it serves, while it is ready;
      // a Fireworks LoRA while a deployment serves it.
      const spec = catalogModel(id) ?? fineTuning.modelSpec(id) ?? togetherDeployments.servedSpec(id) ?? servedLora(deployments, jobs, fineTuning, id)?.spec;
      if (!spec) throw modelNotFound(id);
      return spec;
    },
    listModels: () => [...MODELS, ...fineTuning.succeededModels()],
    profileFor: (id) => {
      // A deployed Fireworks LoRA answers as the student its job trained (README "Model profiles").
      const lora = servedLora(deployments, jobs, fineTuning, id);
      if (lora) return { kind: "fine_tuned", base: lora.job.spec.baseModel, examples: lora.job.spec.validation.examples, rate: fineTunedRate(lora.job.spec.validation.examples) };
      return profileFor(togetherDeployments.served(id) ?? id, (name) => {
        const job = jobs.byModelName(name);
        return job ? { baseModel: job.spec.baseModel, examples: job.spec.validation.examples } : undefined;
      });
    },
    renderJob(job) {
      if (job.spec.provider === "together") return renderTogether(fineTuning, job, true);
      if (job.spec.provider === "fireworks") return renderFireworks(fineTuning, job);
      return fineTuning.render(job);
    },
    jobStatus(job) {
      if (job.spec.provider === "together") return readTogether(fineTuning, job).status;
      if (job.spec.provider === "fireworks") return readFireworks(fineTuning, job).state;
      return fineTuning.view(job).status;
    },
  };
}

/** Hono typing shared by every route module. */
export interface AppEnv {
  Variables: { requestId: string; run: Run };
}
