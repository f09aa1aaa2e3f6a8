import { ApiError } from "../../../errors";
import { nowIso } from "../../../lib/clock";
import type { PageQuery } from "../../keyset";
import {
  answerTokens,
  claimDeployment,
  getDeploymentSummary,
  listDeploymentSummaries,
  quietDeployments,
  standingHourlyMicros,
  teacherSpendMicros,
  updateDeploymentSummary,
  type DeploymentSummary,
} from "../deployments";
import { getRegisteredModel, modelServing, serveModel, unserveModel, type ModelServing, type RegisteredModel } from "../models";
import { registerInFlight } from "../recovery";
import { Surface, surface } from "./surface";

/** The tenant's deployments index, and the registry changes a deployment makes (servable or not). */
export class DeploymentsSurface extends Surface {
  /** The registered model to deploy, with how it is served now (404 when this tenant has no such model). */
  model(id: string): { model: RegisteredModel; serving: ModelServing | null } {
    const model = getRegisteredModel(this.sql, id);
    if (!model) throw new ApiError("not_found", `No model ${id} in this tenant's registry.`);
    return { model, serving: modelServing(this.sql, id) };
  }

  /** Claims a deployment; the model's live deployment when it has one. */
  async claim(d: DeploymentSummary): Promise<{ created: boolean; deployment: DeploymentSummary }> {
    const claimed = claimDeployment(this.sql, d);
    if (claimed.created) await registerInFlight(this.sql, this.env.TENANTS);
    return claimed;
  }

  update(patch: Pick<DeploymentSummary, "id" | "state" | "inference_model" | "updated_at">): void {
    updateDeploymentSummary(this.sql, patch);
  }

  /** One of this tenant's deployments (other tenants' ids are simply unknown). */
  get(id: string): DeploymentSummary {
    const d = getDeploymentSummary(this.sql, id);
    if (!d) throw new ApiError("not_found", `No deployment ${id}.`);
    return d;
  }

  list(opts: PageQuery & { state?: string }): { data: DeploymentSummary[]; has_more: boolean } {
    return listDeploymentSummaries(this.sql, opts);
  }

  /** The model becomes servable through this deployment. */
  serve(model: string, serving: ModelServing & { deployment_id: string }): boolean {
    return serveModel(this.sql, model, serving, nowIso());
  }

  /** The model is no longer servable through this deployment. */
  unserve(model: string, deploymentId: string, reason: string): boolean {
    return unserveModel(this.sql, model, deploymentId, reason, nowIso());
  }

  /** Transitional deployments not heard from since `before` (for the sweeper). */
  quiet(before: string, limit: number): string[] {
    return quietDeployments(this.sql, before, limit);
  }

  /** What a model's break-even reads: tokens per answer (and their source), and the teacher spend since `sinceDay`. */
  costInputs(model: string, teacher: string, sinceDay: string): { tokens: ReturnType<typeof answerTokens>; teacher_spend_micros: number; standing_hourly_micros: number } {
    return {
      tokens: answerTokens(this.sql, model, teacher, sinceDay),
      teacher_spend_micros: teacherSpendMicros(this.sql, teacher, sinceDay),
      standing_hourly_micros: standingHourlyMicros(this.sql),
    };
  }

  /** USD per hour the tenant's serving deployments cost now, in micro-dollars. */
  standingHourlyMicros(): number {
    return standingHourlyMicros(this.sql);
  }
}
surface(DeploymentsSurface, "deployments");
