import { Hono } from "hono";
import { z } from "zod";
import type { StoredJob } from "../fine-tuning/store";
import { catalogModel } from "../models";
import type { AppEnv, Services } from "../services";
import { parseOrThrow, readJsonText } from "../validation";
import { DEPLOYMENT_DEFAULTS, type DeploymentRecord, deploymentName } from "./deployments";
import { alreadyExists, failedPrecondition, invalidArgument, notFoundG, RESOURCE_ID } from "./errors";
import { pageOf } from "./paging";
import { readFireworks } from "./render";

/** POST /deployments: the documented body's fields the emulator reads; the rest are accepted and ignored. */
const deploymentSchema = z.looseObject({
  baseModel: z.string().min(1),
  displayName: z.string().max(63).optional(),
  minReplicaCount: z.number().int().min(0).default(0),
  maxReplicaCount: z.number().int().min(0).optional(),
  acceleratorType: z.string().default("NVIDIA_A100_80GB"),
  acceleratorCount: z.number().int().min(1).default(1),
  enableAddons: z.boolean().default(false),
});

/** POST /deployedModels (Load LoRA): `model` and the base `deployment`, both resource names. */
const deployedModelSchema = z.looseObject({
  model: z.string().min(1),
  deployment: z.string().min(1),
  displayName: z.string().optional(),
  public: z.boolean().optional(),
});

/**
 * Fireworks' deployments and deployedModels control plane (docs.fireworks.ai/api-reference:
 * create/get/list/delete deployment; load/get/list/unload LoRA).
 */
export function deploymentRoutes(services: Services) {
  const { deployments: store, runs } = services;
  const loadDeployment = (account: string, id: string): DeploymentRecord => {
    const d = store.get(account, id);
    if (!d) throw notFoundG(`Deployment accounts/${account}/deployments/${id} not found`);
    return d;
  };
  /** A LoRA this account trained whose job COMPLETED: its job record. */
  const trainedModel = (account: string, name: string): StoredJob | undefined => {
    const job = services.jobs.byModelName(name);
    if (job?.spec.provider !== "fireworks" || job.spec.dialect?.account !== account) return undefined;
    return readFireworks(services.fineTuning, job).state === "JOB_STATE_COMPLETED" ? job : undefined;
  };

  const deps = "/accounts/:account/deployments";
  const models = "/accounts/:account/deployedModels";
  return new Hono<AppEnv>()
    .post(deps, async (c) => {
      const account = c.req.param("account");
      const run = c.get("run");
      const p = parseOrThrow(deploymentSchema, readJsonText(await c.req.text()));
      const id = c.req.query("deploymentId") || crypto.randomUUID().slice(0, 8);
      if (!RESOURCE_ID.test(id)) throw invalidArgument(`Invalid deploymentId "${id}": use 1-63 lowercase letters, digits or hyphens.`);
      if (store.get(account, id)) throw alreadyExists(`Deployment accounts/${account}/deployments/${id} already exists`);
      // A catalogue base, or a LoRA this account trained (deployed alone: "live merge").
      const lora = trainedModel(account, p.baseModel);
      if (!catalogModel(p.baseModel) && !lora) throw notFoundG(`Model ${p.baseModel} not found`);
      if (lora && p.enableAddons) throw invalidArgument("enableAddons needs a base model; a LoRA model is deployed merged.");
      const cfg = run.config.deployments ?? {};
      const record: DeploymentRecord = {
        account,
        id,
        run: run.name,
        baseModel: p.baseModel,
        displayName: p.displayName ?? id,
        enableAddons: p.enableAddons,
        minReplicaCount: p.minReplicaCount,
        maxReplicaCount: p.maxReplicaCount ?? Math.max(p.minReplicaCount, 1),
        acceleratorType: p.acceleratorType,
        acceleratorCount: p.acceleratorCount,
        created: runs.now(run.name),
        provisioningMs: cfg.provisioning_ms ?? DEPLOYMENT_DEFAULTS.provisioning_ms,
        fail: cfg.fail ?? null,
        deleteAt: null,
      };
      store.insert(record);
      return c.json(store.render(record));
    })
    .get(deps, (c) => {
      const account = c.req.param("account");
      const all = store.list(account).filter((d) => store.state(d) !== "DELETED" || c.req.query("showDeleted") === "true");
      const { items, nextPageToken, totalSize } = pageOf(all, c.req.query("pageSize"), c.req.query("pageToken"));
      return c.json({ deployments: items.map((d) => store.render(d)), nextPageToken, totalSize });
    })
    .get(`${deps}/:id`, (c) => c.json(store.render(loadDeployment(c.req.param("account"), c.req.param("id")))))
    .delete(`${deps}/:id`, (c) => {
      const d = loadDeployment(c.req.param("account"), c.req.param("id"));
      const state = store.state(d);
      if (state === "DELETED") throw notFoundG(`Deployment ${deploymentName(d)} not found`);
      // Fireworks refuses to delete a deployment in use unless told to ignore the checks.
      if (store.onDeployment(d).length > 0 && c.req.query("ignoreChecks") !== "true") {
        throw failedPrecondition(`Deployment ${deploymentName(d)} still has deployed models; unload them first or set ignoreChecks.`);
      }
      if (d.deleteAt === null) store.save({ ...d, deleteAt: runs.now(d.run) });
      return c.json({});
    })
    .post(models, async (c) => {
      const account = c.req.param("account");
      const run = c.get("run");
      const p = parseOrThrow(deployedModelSchema, readJsonText(await c.req.text()));
      const d = store.deploymentByName(p.deployment);
      if (!d || d.account !== account || store.state(d) === "DELETED") throw notFoundG(`Deployment ${p.deployment} not found`);
      const job = trainedModel(account, p.model);
      if (!job) throw notFoundG(`Model ${p.model} not found`);
      const state = store.state(d);
      if (state !== "READY") throw failedPrecondition(`Deployment ${p.deployment} is ${state}, not READY.`);
      if (!d.enableAddons) throw failedPrecondition(`Deployment ${p.deployment} does not have addons enabled.`);
      if (job.spec.baseModel !== d.baseModel) throw invalidArgument(`Model ${p.model} is a LoRA of ${job.spec.baseModel}, but deployment ${p.deployment} serves ${d.baseModel}.`);
      const loaded = store.onDeployment(d);
      if (loaded.some((m) => m.model === p.model)) throw alreadyExists(`Model ${p.model} is already deployed to ${p.deployment}`);
      const limit = run.config.deployments?.addon_limit ?? DEPLOYMENT_DEFAULTS.addon_limit;
      // Wording inferred (the docs state the limit, not the error): FAILED_PRECONDITION, as for other state checks.
      if (loaded.length >= limit) throw failedPrecondition(`Deployment ${p.deployment} already has the maximum of ${limit} LoRA addons loaded; unload one first.`);
      const modelId = p.model.split("/").pop() ?? "model";
      const record = {
        account,
        id: `${modelId.slice(0, 50)}-${crypto.randomUUID().slice(0, 8)}`,
        run: run.name,
        model: p.model,
        deployment: deploymentName(d),
        displayName: p.displayName ?? modelId,
        created: runs.now(run.name),
        loadMs: run.config.deployments?.addon_load_ms ?? DEPLOYMENT_DEFAULTS.addon_load_ms,
        undeployAt: null,
      };
      store.insertModel(record);
      return c.json(store.renderModel(record));
    })
    .get(models, (c) => {
      const account = c.req.param("account");
      const filter = parseFilter(c.req.query("filter"));
      const all = store.models(account).filter((m) => Object.entries(filter).every(([k, v]) => (m as unknown as Record<string, unknown>)[k] === v));
      const { items, nextPageToken, totalSize } = pageOf(all, c.req.query("pageSize"), c.req.query("pageToken"));
      return c.json({ deployedModels: items.map((m) => store.renderModel(m)), nextPageToken, totalSize });
    })
    .get(`${models}/:id`, (c) => {
      const m = store.model(c.req.param("account"), c.req.param("id"));
      if (!m) throw notFoundG(`Deployed model accounts/${c.req.param("account")}/deployedModels/${c.req.param("id")} not found`);
      return c.json(store.renderModel(m));
    })
    .delete(`${models}/:id`, (c) => {
      const m = store.model(c.req.param("account"), c.req.param("id"));
      if (!m) throw notFoundG(`Deployed model accounts/${c.req.param("account")}/deployedModels/${c.req.param("id")} not found`);
      if (m.undeployAt === null) store.saveModel({ ...m, undeployAt: runs.now(m.run) });
      return c.json({});
    });
}

/**
 * The part of AIP-160 the emulator reads: `field="value"` terms joined by AND, over `model`,
 * `deployment` and `displayName`; anything else is a 400, as an unparsable filter is on Fireworks.
 */
function parseFilter(raw: string | undefined): Record<string, string> {
  if (!raw?.trim()) return {};
  const out: Record<string, string> = {};
  for (const term of raw.split(/\s+AND\s+/)) {
    const m = /^\s*(model|deployment|displayName)\s*=\s*"([^"]*)"\s*$/.exec(term);
    if (!m) throw invalidArgument(`Unsupported filter: ${raw}`);
    out[m[1] ?? ""] = m[2] ?? "";
  }
  return out;
}
