import type { FineTuning } from "../fine-tuning/service";
import type { JobStore, StoredJob } from "../fine-tuning/store";
import { catalogModel, fineTunedSpec, type ModelSpec } from "../models";
import type { DeploymentStore } from "./deployments";
import { readFireworks } from "./render";

/**
 * A Fireworks LoRA that answers inference now: `accounts/{a}/models/{m}#accounts/{a}/deployments/{d}`
 * (docs: query a deployment as `<MODEL_NAME>#<DEPLOYMENT_NAME>`), or the bare model name, which
 * reaches its default deployment. Served when a READY deployment holds it merged (deployed as its
 * base model) or as a DEPLOYED addon. Undefined for anything else.
 */
export function servedLora(store: DeploymentStore, jobs: JobStore, ft: FineTuning, id: string): { spec: ModelSpec; job: StoredJob } | undefined {
  const m = /^(accounts\/([^/#]+)\/models\/[^/#]+)(?:#(accounts\/[^/#]+\/deployments\/[^/#]+))?$/.exec(id);
  if (!m) return undefined;
  const [, model = "", account = "", target] = m;
  const job = jobs.byModelName(model);
  const base = job && catalogModel(job.spec.baseModel);
  if (!job || !base || job.spec.provider !== "fireworks" || readFireworks(ft, job).state !== "JOB_STATE_COMPLETED") return undefined;
  const merged = store.list(account).filter((d) => d.baseModel === model && store.state(d) === "READY").map((d) => `accounts/${d.account}/deployments/${d.id}`);
  const addons = store
    .models(account)
    .filter((a) => a.model === model && store.modelState(a) === "DEPLOYED")
    .map((a) => a.deployment)
    .filter((name) => {
      const d = store.deploymentByName(name);
      return d !== undefined && store.state(d) === "READY";
    });
  const hosts = [...merged, ...addons];
  const serving = target ? hosts.includes(target) : hosts.length > 0;
  return serving ? { spec: fineTunedSpec(id, base, Math.floor(job.spec.created / 1000)), job } : undefined;
}
