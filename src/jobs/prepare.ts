import { examplesToValidate } from "../datasets/rows";
import { validateDataset } from "../datasets/validate";
import type { TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/ids";
import { type Catalog, type FineTuneSpec, loadCatalog, type ModelEntry, resolveEndpoint, resolveModel } from "../llm";
import type { FineTuneProviderId, ProviderJob } from "../providers/types";
import { checkHyperparameters, epochsOf } from "./hyperparameters";
import type { JobInit, PinnedFile } from "../durable/fine-tune-job/record";
import { newSigningSecret } from "../webhooks/signature";
import { checkWebhookUrl, parseDenyList } from "../webhooks/url";
import { nowIso, today } from "../lib/clock";
import { isRetired } from "../llm/retirement";
import { deploymentProviderFor, needsDeployment } from "../deployments";

export interface CreateJobBody {
  dataset: string;
  provider: FineTuneProviderId;
  base_model: string;
  hyperparameters?: Record<string, number>;
  suffix?: string;
  seed?: number;
  lora?: boolean;
  validation: "eval-split" | "none";
  evaluate: boolean;
  /** Deploy the student once the job succeeds (providers whose fine-tunes need a deployment). */
  deploy?: boolean;
  webhook_url?: string;
}

export interface AttachJobBody {
  provider: FineTuneProviderId;
  provider_job_id: string;
  evaluate: boolean;
  webhook_url?: string;
}

/** The deployment's fine-tuning spec for `provider`, or a 400 naming the providers it has. */
export function providerSpec(catalog: Catalog, provider: FineTuneProviderId): FineTuneSpec {
  const spec = catalog.fine_tuning[provider];
  if (!spec) {
    throw new ApiError("bad_request", `This deployment has no fine-tuning provider "${provider}"; it has: ${Object.keys(catalog.fine_tuning).join(", ")}.`, {
      details: { field: "provider" },
    });
  }
  return spec;
}

/**
 * The provider's spec and the catalog entry of a base it can fine-tune (its first one when none
 * is named), or a 400 listing the bases it can.
 */
export function fineTunableBase(catalog: Catalog, provider: FineTuneProviderId, baseId?: string): { spec: FineTuneSpec; base: ModelEntry } {
  const spec = providerSpec(catalog, provider);
  const on = today();
  const current = spec.base_models.filter((m) => !isRetired(resolveModel(catalog, m), on));
  const id = baseId ?? current[0] ?? spec.base_models[0]!;
  if (!spec.base_models.includes(id)) {
    throw new ApiError("bad_request", `${provider} cannot fine-tune ${id}; it can fine-tune: ${current.join(", ") || "nothing any more"}.`, {
      details: { field: "base_model", fine_tunable: current },
    });
  }
  const base = resolveModel(catalog, id);
  if (isRetired(base, on)) {
    throw new ApiError("bad_request", `${id} was shut down on ${base.retirement!.date}; ${provider} can fine-tune: ${current.join(", ") || "nothing any more"}.`, {
      details: { field: "base_model", retired_on: base.retirement!.date, fine_tunable: current },
    });
  }
  return { spec, base };
}

/** OpenAI's wind-down: a clear 409 naming the providers still open, before anything is uploaded. */
export function checkCutoff(catalog: Catalog, provider: FineTuneProviderId, on = today()): void {
  const cutoff = catalog.fine_tuning[provider]?.new_jobs_cutoff;
  if (!cutoff || on < cutoff) return;
  const open = Object.entries(catalog.fine_tuning)
    .filter(([, s]) => !s.new_jobs_cutoff || on < s.new_jobs_cutoff)
    .map(([name]) => name);
  throw new ApiError(
    "conflict",
    `${provider} stopped accepting new fine-tuning jobs on ${cutoff}. Train an open-weights student instead` +
      (open.length ? ` with ${open.join(" or ")}` : "") + "; existing fine-tunes keep serving until their base model retires.",
    { details: { provider, cutoff, alternatives: open } },
  );
}

/** The webhook, checked, with a fresh signing secret. */
export function webhookOf(env: Bindings, url: string | undefined): JobInit["webhook"] {
  if (!url) return null;
  const checked = checkWebhookUrl(url, parseDenyList(env.WEBHOOK_DENY_HOSTS));
  return { url: checked.toString(), secret: newSigningSecret() };
}

/**
 * Everything checked before a job exists: provider, base model, credentials, hyperparameters,
 * the cutoff, the webhook, the dataset (the tenant's snapshot, ready, its report free of errors). Each
 * failure is a 4xx and nothing is written or uploaded.
 */
export async function prepareCreate(env: Bindings, tenant: TenantHandle, body: CreateJobBody, requestId: string): Promise<JobInit> {
  const catalog = loadCatalog(env);
  const { spec, base } = fineTunableBase(catalog, body.provider, body.base_model);
  const hyperparameters = checkHyperparameters(body.provider, spec, body.hyperparameters);
  // Credentials before anything else that reaches out: a missing key is a 400 naming the variable.
  resolveEndpoint(env, body.provider, "control");
  checkCutoff(catalog, body.provider);
  if (body.deploy) checkDeployable(env, body.provider, requestId);
  const webhook = webhookOf(env, body.webhook_url);

  // Jobs train on snapshots: the one named, or a dataset's latest ready snapshot (409 when it has none).
  const dataset = await tenant.datasets.trainable(body.dataset);
  if (dataset.status !== "ready") {
    throw new ApiError("conflict", `Snapshot ${dataset.name} is ${dataset.status}; a job needs a ready snapshot.`, { details: { dataset: dataset.id, status: dataset.status } });
  }
  const files = dataset.files ? (JSON.parse(dataset.files) as Record<string, { key: string; bytes: number; lines: number; sha256: string }>) : {};
  const train = await pin(env, files.train, "train");
  if (!train || train.lines === 0) throw new ApiError("conflict", `Dataset ${dataset.name} has no training examples.`, { details: { dataset: dataset.id } });
  let evalFile: PinnedFile | null = null;
  if (body.validation === "eval-split") {
    evalFile = await pin(env, files.eval, "eval");
    if (!evalFile || evalFile.lines === 0) {
      throw new ApiError("conflict", `Dataset ${dataset.name} has no eval split; create the job with validation: "none" or a dataset with eval_fraction > 0.`, {
        details: { dataset: dataset.id },
      });
    }
  }

  const report = await validateDataset(examplesToValidate(tenant, dataset.id, "train"), { baseModel: base, provider: body.provider, epochs: epochsOf(hyperparameters) ?? "auto", spec });
  if (report.errors.total > 0) {
    throw new ApiError("conflict", `Dataset ${dataset.name} fails validation for ${body.base_model}: ${report.errors.total} error(s) (${Object.entries(report.errors.by_kind).map(([k, n]) => `${k}: ${n}`).join(", ")}).`, {
      details: { dataset: dataset.id, errors: report.errors },
    });
  }

  return {
    id: newId("ftj"),
    tenant_id: tenant.id,
    request_id: requestId,
    kind: "create",
    provider: body.provider,
    base_model: base.id,
    provider_base_model: base.model,
    dataset: { id: dataset.id, name: dataset.name, train, eval: evalFile },
    hyperparameters,
    suffix: body.suffix ?? null,
    seed: body.seed ?? null,
    lora: body.lora ?? spec.lora_default ?? false,
    validation: body.validation,
    evaluate: body.evaluate,
    ...(body.deploy ? { deploy: true } : {}),
    webhook,
    provider_job_id: null,
    cost_estimate_usd: report.cost_usd_estimate,
    training_price: base.prices.training ?? null,
    new_jobs_cutoff: spec.new_jobs_cutoff ?? null,
    created_at: nowIso(),
  };
}

/** Pins a dataset file: its hash and size as recorded, and R2's etag for the version that exists now. */
async function pin(env: Bindings, file: { key: string; bytes: number; lines: number; sha256: string } | undefined, split: string): Promise<PinnedFile | null> {
  if (!file) return null;
  const head = await env.DATA.head(file.key);
  if (!head) throw new ApiError("conflict", `The dataset's ${split} file is missing; regenerate the dataset.`);
  return { key: file.key, sha256: file.sha256, etag: head.etag, bytes: head.size, lines: file.lines };
}

/** The init of an attached job, from the provider's own record of it. */
export function prepareAttach(
  env: Bindings,
  tenantId: string,
  body: AttachJobBody,
  current: ProviderJob,
  webhook: JobInit["webhook"],
  requestId: string,
): JobInit {
  const catalog = loadCatalog(env);
  const base = catalog.models.find((m) => m.model === current.base_model || m.id === current.base_model);
  return {
    id: newId("ftj"),
    tenant_id: tenantId,
    request_id: requestId,
    kind: "attach",
    provider: body.provider,
    base_model: base?.id ?? current.base_model,
    provider_base_model: current.base_model,
    dataset: null,
    hyperparameters: {},
    suffix: null,
    seed: null,
    lora: false,
    validation: "none",
    evaluate: body.evaluate,
    webhook,
    provider_job_id: current.id,
    cost_estimate_usd: null,
    training_price: base?.prices.training ?? null,
    new_jobs_cutoff: null,
    created_at: nowIso(),
  };
}

/** `deploy: true` asks for what the provider has: OpenAI's fine-tunes need no deployment (400), and credentials are checked now. */
function checkDeployable(env: Bindings, provider: FineTuneProviderId, requestId: string): void {
  if (!needsDeployment(provider)) {
    throw new ApiError("validation_failed", `deploy: ${provider} fine-tunes need no deployment; they are callable as soon as the job succeeds.`, {
      details: [{ path: "deploy", message: `${provider} fine-tunes need no deployment` }],
    });
  }
  deploymentProviderFor(env, provider, { requestId });
}
