import { openJob } from "../durable/fine-tune-job";
import type { TenantHandle } from "../durable/tenant";
import type { JobSummary } from "../durable/tenant/jobs";
import type { Bindings } from "../env";
import type { JobInit } from "../durable/fine-tune-job/record";
import type { JobView } from "../durable/fine-tune-job/view";

/** The tenant's index entry for a job about to start (or be attached). */
export function indexEntry(init: JobInit, state: JobSummary["state"]): JobSummary {
  return {
    id: init.id,
    provider: init.provider,
    provider_job_id: init.provider_job_id,
    dataset_id: init.dataset?.id ?? null,
    base_model: init.base_model,
    state,
    fine_tuned_model: null,
    created_at: init.created_at,
    updated_at: init.created_at,
  };
}

/** Enters a prepared job in the tenant's index, then starts its object (which uploads at once, in the background). */
export async function launchJob(env: Bindings, tenant: TenantHandle, init: JobInit): Promise<JobView> {
  await tenant.jobs.claim(indexEntry(init, "created"));
  return openJob(env, tenant.id, init.id).start(init);
}
