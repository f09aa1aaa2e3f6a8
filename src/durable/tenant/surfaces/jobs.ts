import { ApiError } from "../../../errors";
import { claimJob, getJobSummary, jobByProviderJob, listJobSummaries, updateJobSummary, type JobSummary } from "../jobs";
import type { PageQuery } from "../../keyset";
import { registerInFlight } from "../recovery";
import { Surface, surface } from "./surface";

/** The tenant's index of its fine-tune jobs (each job's own state lives in its FineTuneJob object). */
export class JobsSurface extends Surface {
  /** Claims a job id (and, for an attach, the provider's job): the job already holding either when there is one. */
  async claim(job: JobSummary): Promise<{ created: boolean; job: JobSummary }> {
    const claimed = claimJob(this.sql, job);
    // Until its object has started, the claim is in flight: the sweeper looks after it.
    if (claimed.created) await registerInFlight(this.sql, this.env.TENANTS);
    return claimed;
  }

  /** Mirrors a job's state from its object (on every transition). */
  update(patch: Pick<JobSummary, "id" | "state" | "provider_job_id" | "fine_tuned_model" | "updated_at">): void {
    updateJobSummary(this.sql, patch);
  }

  /** One of this tenant's jobs (other tenants' ids are simply unknown). */
  get(id: string): JobSummary {
    const job = getJobSummary(this.sql, id);
    if (!job) throw new ApiError("not_found", `No job ${id}.`);
    return job;
  }

  /** Whether this tenant tracks the provider job: by the job id it carries (`key`), or by its own id. */
  tracks(provider: string, providerJobId: string, key: string): boolean {
    return (key.startsWith("ftj_") && getJobSummary(this.sql, key) !== null) || jobByProviderJob(this.sql, provider, providerJobId) !== null;
  }

  /** Newest first, keyset-paged after or before a job id. */
  list(opts: PageQuery & { state?: string }): { data: JobSummary[]; has_more: boolean } {
    return listJobSummaries(this.sql, opts);
  }
}
surface(JobsSurface, "jobs");
