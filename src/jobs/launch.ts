import { jobStub, unwrapJob } from "../durable/fine-tune-job";
import { tenantStub } from "../durable/tenant";
import type { Bindings } from "../env";
import type { JobInit } from "./record";
import type { JobView } from "./view";

/** Enters a prepared job in the tenant's index, then starts its object (which uploads at once, from its alarm). */
export async function launchJob(env: Bindings, init: JobInit): Promise<JobView> {
  await tenantStub(env, init.tenant_id).claimJob({
    id: init.id,
    provider: init.provider,
    provider_job_id: null,
    dataset_id: init.dataset?.id ?? null,
    base_model: init.base_model,
    state: "created",
    fine_tuned_model: null,
    created_at: init.created_at,
    updated_at: init.created_at,
  });
  return unwrapJob(await jobStub(env, init.tenant_id, init.id).start(init));
}
