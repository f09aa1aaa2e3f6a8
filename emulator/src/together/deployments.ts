import { invalidRequest, notFound, OpenAIError } from "../errors";
import { randomId, stableId } from "../ids";
import type { FineTuning } from "../fine-tuning/service";
import type { JobStore } from "../fine-tuning/store";
import { catalogModel, fineTunedSpec, type ModelSpec } from "../models";
import type { RunStore } from "../runs/store";

/**
 * Together's 2.0 dedicated endpoints (projects → endpoints → deployments) on the emulated clock:
 * a deployment provisions for `provisioning_ms` of its run's time (5 min by default: Together's
 * guide says "wait up to 10 minutes"), then serves its model under its qualified name
 * `<project>/<endpoint>/<deployment>`; replicas 0/0 stops it (STOPPING for 30 s, then STOPPED), as
 * does its inactivity timeout. A failure can be injected mid-provisioning (the control plane) or
 * for every deployment of a run (`deployments.fail`). Shapes follow together-typescript
 * `src/resources/beta/endpoints/` (2026-12).
 */

const conflict = (message: string) => new OpenAIError(409, message, "invalid_request_error", "name", "already_exists");

export const DEFAULT_PROVISIONING_MS = 5 * 60_000;
const STOPPING_MS = 30_000;
/** GPU types each emulated Together base can be deployed on (one GPU per replica). */
export const EMULATED_GPUS = ["nvidia_h100_80gb_sxm", "nvidia_l40s_48gb"] as const;

type EndpointRow = {
  id: string;
  project: string;
  name: string;
  created: number;
};

type DeploymentRow = {
  id: string;
  endpoint_id: string;
  project: string;
  name: string;
  run: string;
  model: string;
  config: string;
  min_replicas: number;
  max_replicas: number;
  inactive_timeout: number;
  created: number;
  provisioning_ms: number;
  fail_at: number | null;
  fail_message: string | null;
  stop_at: number | null;
  last_request: number | null;
};

export interface DeploymentRequest {
  name: string;
  model: string;
  config: string;
  minReplicas: number;
  maxReplicas: number;
  inactiveTimeout: number;
}

export class TogetherDeployments {
  constructor(
    private readonly sql: SqlStorage,
    private readonly runs: RunStore,
    private readonly jobs: JobStore,
    private readonly fineTuning: FineTuning,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS together_endpoints (
        id TEXT PRIMARY KEY, project TEXT NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL,
        UNIQUE (project, name)
      );
      CREATE TABLE IF NOT EXISTS together_deployments (
        id TEXT PRIMARY KEY, endpoint_id TEXT NOT NULL, project TEXT NOT NULL, name TEXT NOT NULL, run TEXT NOT NULL,
        model TEXT NOT NULL, config TEXT NOT NULL, min_replicas INTEGER NOT NULL, max_replicas INTEGER NOT NULL,
        inactive_timeout INTEGER NOT NULL, created INTEGER NOT NULL, provisioning_ms INTEGER NOT NULL,
        fail_at INTEGER, fail_message TEXT, stop_at INTEGER, last_request INTEGER,
        UNIQUE (endpoint_id, name)
      );
    `);
  }

  createEndpoint(project: string, name: string): EndpointRow {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) throw invalidRequest("Endpoint names are 1–63 lower-case letters, digits and hyphens.", "name");
    if (this.endpointByName(project, name)) throw conflict(`An endpoint named ${name} already exists in project ${project}.`);
    const row: EndpointRow = { id: randomId("ep_", 20), project, name, created: Date.now() };
    this.sql.exec("INSERT INTO together_endpoints (id, project, name, created) VALUES (?, ?, ?, ?)", row.id, project, name, row.created);
    return row;
  }

  endpoints(project: string, nameFilter: string | null): EndpointRow[] {
    const rows = this.sql.exec<EndpointRow>("SELECT * FROM together_endpoints WHERE project = ? ORDER BY created DESC", project).toArray();
    return nameFilter === null ? rows : rows.filter((r) => r.name === nameFilter || `${project}/${r.name}` === nameFilter);
  }

  endpoint(project: string, id: string): EndpointRow {
    const row = this.sql.exec<EndpointRow>("SELECT * FROM together_endpoints WHERE project = ? AND id = ?", project, id).toArray()[0];
    if (!row) throw notFound(`Endpoint ${id} not found.`, "id");
    return row;
  }

  renderEndpoint(e: EndpointRow) {
    return {
      id: e.id,
      name: `${e.project}/${e.name}`,
      projectId: e.project,
      endpointType: "ENDPOINT_TYPE_DEDICATED",
      visibility: "VISIBILITY_PRIVATE",
      deployments: this.deploymentsIn(e.id).map((d) => ({ id: d.id, name: this.qualified(d), state: this.state(d).state, model: d.model })),
      trafficSplit: [],
      etag: String(e.created),
      createdAt: new Date(e.created).toISOString(),
      updatedAt: new Date(e.created).toISOString(),
    };
  }

  createDeployment(project: string, endpointId: string, run: string, provisioningMs: number, failMessage: string | null, req: DeploymentRequest): DeploymentRow {
    const endpoint = this.endpoint(project, endpointId);
    if (this.deploymentsIn(endpoint.id).some((d) => d.name === req.name)) throw conflict(`A deployment named ${req.name} already exists under endpoint ${endpoint.id}.`);
    const prefix = `projects/${project}/models/`;
    if (!req.model.startsWith(prefix) || !this.modelOf(req.model.slice(prefix.length))) {
      throw invalidRequest(`Model ${req.model} is not a deployable model of project ${project}.`, "model");
    }
    if (!/^projects\/[^/]+\/configs\/cr_[A-Za-z0-9]+$/.test(req.config)) throw invalidRequest(`Config ${req.config} is not a config revision.`, "config");
    if (req.minReplicas < 0 || req.maxReplicas < req.minReplicas) throw invalidRequest("autoscaling.maxReplicas must be at least autoscaling.minReplicas.", "autoscaling");
    if (req.inactiveTimeout !== 0 && (req.inactiveTimeout < 30 || req.inactiveTimeout > 1440)) {
      throw invalidRequest("inactiveTimeout must be 0 or between 30 and 1440 minutes.", "inactiveTimeout");
    }
    const now = this.runs.now(run);
    const row: DeploymentRow = {
      id: randomId("dep_", 20),
      endpoint_id: endpoint.id,
      project,
      name: req.name,
      run,
      model: req.model.slice(prefix.length),
      config: req.config,
      min_replicas: req.minReplicas,
      max_replicas: req.maxReplicas,
      inactive_timeout: req.inactiveTimeout,
      created: now,
      provisioning_ms: provisioningMs,
      fail_at: failMessage ? now + provisioningMs : null,
      fail_message: failMessage,
      stop_at: null,
      last_request: null,
    };
    this.sql.exec(
      `INSERT INTO together_deployments (id, endpoint_id, project, name, run, model, config, min_replicas, max_replicas, inactive_timeout, created, provisioning_ms, fail_at, fail_message, stop_at, last_request)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      row.id, row.endpoint_id, project, row.name, run, row.model, row.config, row.min_replicas, row.max_replicas, row.inactive_timeout, now, provisioningMs, row.fail_at, failMessage,
    );
    return row;
  }

  deploymentsIn(endpointId: string): DeploymentRow[] {
    return this.sql.exec<DeploymentRow>("SELECT * FROM together_deployments WHERE endpoint_id = ? ORDER BY created", endpointId).toArray();
  }

  deployment(project: string, endpointId: string, id: string): DeploymentRow {
    const row = this.sql.exec<DeploymentRow>("SELECT * FROM together_deployments WHERE project = ? AND endpoint_id = ? AND id = ?", project, endpointId, id).toArray()[0];
    if (!row) throw notFound(`Deployment ${id} not found.`, "id");
    return row;
  }

  /** Replica bounds 0/0 stop the deployment; other bounds start a stopped one provisioning again. */
  scale(d: DeploymentRow, minReplicas: number, maxReplicas: number): DeploymentRow {
    const now = this.runs.now(d.run);
    if (minReplicas === 0 && maxReplicas === 0) {
      if (d.stop_at === null) this.sql.exec("UPDATE together_deployments SET stop_at = ? WHERE id = ?", now, d.id);
    } else {
      this.sql.exec("UPDATE together_deployments SET min_replicas = ?, max_replicas = ?, stop_at = NULL, created = ?, last_request = NULL WHERE id = ?", minReplicas, maxReplicas, now, d.id);
    }
    return this.sql.exec<DeploymentRow>("SELECT * FROM together_deployments WHERE id = ?", d.id).one();
  }

  /** Control plane: the deployment fails now (mid-provisioning or later). */
  fail(id: string, message: string): DeploymentRow {
    const d = this.sql.exec<DeploymentRow>("SELECT * FROM together_deployments WHERE id = ?", id).toArray()[0];
    if (!d) throw notFound(`Deployment ${id} not found.`, "id");
    this.sql.exec("UPDATE together_deployments SET fail_at = ?, fail_message = ? WHERE id = ?", this.runs.now(d.run), message, id);
    return this.sql.exec<DeploymentRow>("SELECT * FROM together_deployments WHERE id = ?", id).one();
  }

  /** Every deployment (optionally one run's), for tests to count what the emulator holds. */
  all(run?: string): DeploymentRow[] {
    return this.sql.exec<DeploymentRow>("SELECT * FROM together_deployments ORDER BY created").toArray().filter((d) => !run || d.run === run);
  }

  /** The state at the deployment's run's emulated now. */
  state(d: DeploymentRow): { state: string; message: string; readyReplicas: number } {
    const now = this.runs.now(d.run);
    const readyAt = d.created + d.provisioning_ms;
    if (d.fail_at !== null && now >= d.fail_at) return { state: "DEPLOYMENT_STATE_FAILED", message: d.fail_message ?? "The deployment failed.", readyReplicas: 0 };
    if (d.stop_at !== null) {
      return now >= d.stop_at + STOPPING_MS
        ? { state: "DEPLOYMENT_STATE_STOPPED", message: "Stopped: replica bounds are 0.", readyReplicas: 0 }
        : { state: "DEPLOYMENT_STATE_STOPPING", message: "Releasing replicas.", readyReplicas: 0 };
    }
    if (now < readyAt) return { state: "DEPLOYMENT_STATE_PROVISIONING", message: "Scheduling replicas and loading the model.", readyReplicas: 0 };
    const idleSince = Math.max(readyAt, d.last_request ?? 0);
    if (d.inactive_timeout > 0 && now >= idleSince + d.inactive_timeout * 60_000) {
      return { state: "DEPLOYMENT_STATE_STOPPED", message: `Stopped after ${d.inactive_timeout} minutes without requests.`, readyReplicas: 0 };
    }
    return { state: "DEPLOYMENT_STATE_READY", message: "Serving.", readyReplicas: Math.max(1, d.min_replicas) };
  }

  render(d: DeploymentRow) {
    const status = this.state(d);
    return {
      id: d.id,
      endpointId: d.endpoint_id,
      projectId: d.project,
      name: this.qualified(d),
      model: `projects/${d.project}/models/${d.model}/revisions/1`,
      config: d.config,
      hardware: `1x_${d.config.includes("l40s") ? "nvidia_l40s_48gb" : "nvidia_h100_80gb_sxm"}`,
      autoscaling: { minReplicas: d.min_replicas, maxReplicas: d.max_replicas },
      inactiveTimeout: d.inactive_timeout,
      status,
      trafficMode: "TRAFFIC_MODE_LIVE",
      etag: String(d.created),
      createdAt: new Date(d.created).toISOString(),
      updatedAt: new Date(d.created).toISOString(),
    };
  }

  /** The certified profiles of a Together base: one per emulated GPU type (config ids derived from both). */
  supportedModel(id: string) {
    const base = catalogModel(id);
    if (!base || base.owned_by === "system" || base.kind !== "chat") throw notFound(`Supported model ${id} not found.`, "id");
    return {
      id,
      name: id,
      deploymentProfiles: EMULATED_GPUS.map((gpu) => {
        const cr = stableId("cr_", `${id}|${gpu}`, 16) + (gpu.includes("l40s") ? "l40s" : "h100");
        return { profileId: cr, certifiedConfigRevisionId: cr, config: `projects/together/configs/${cr}`, gpuType: gpu, gpuCount: 1, modelName: id };
      }),
    };
  }

  /** The fine-tuned model a READY deployment's qualified name serves (an inference call counts as activity), or undefined. */
  served(qualifiedName: string, touch = false): string | undefined {
    const parts = qualifiedName.split("/");
    if (parts.length !== 3) return undefined;
    const [project, endpointName, name] = parts as [string, string, string];
    const endpoint = this.endpointByName(project, endpointName);
    const d = endpoint && this.deploymentsIn(endpoint.id).find((x) => x.name === name);
    if (!d || this.state(d).state !== "DEPLOYMENT_STATE_READY") return undefined;
    if (touch) this.sql.exec("UPDATE together_deployments SET last_request = ? WHERE id = ?", this.runs.now(d.run), d.id);
    return d.model;
  }

  /** The model spec a deployment's name answers as (its fine-tune's base, renamed). */
  servedSpec(qualifiedName: string): ModelSpec | undefined {
    const model = this.served(qualifiedName, true);
    const job = model ? this.modelOf(model) : undefined;
    const base = job && catalogModel(job.spec.baseModel);
    return base ? fineTunedSpec(qualifiedName, base, Math.floor(job.spec.created / 1000)) : undefined;
  }

  private modelOf(name: string) {
    const job = this.jobs.byModelName(name);
    return job?.spec.provider === "together" && this.fineTuning.view(job).status === "succeeded" ? job : undefined;
  }

  private endpointByName(project: string, name: string): EndpointRow | undefined {
    return this.sql.exec<EndpointRow>("SELECT * FROM together_endpoints WHERE project = ? AND name = ?", project, name).toArray()[0];
  }

  private qualified(d: DeploymentRow): string {
    const e = this.sql.exec<{ name: string }>("SELECT name FROM together_endpoints WHERE id = ?", d.endpoint_id).one();
    return `${d.project}/${e.name}/${d.name}`;
  }
}
