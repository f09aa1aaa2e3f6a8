import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { first, rowOf, text, textOrNull } from "../sql-rows";

/** The tenant's index of fine-tune jobs; each job's own state lives in its FineTuneJob object. */

export interface JobSummary {
  id: string;
  provider: string;
  provider_job_id: string | null;
  dataset_id: string | null;
  base_model: string;
  state: string;
  fine_tuned_model: string | null;
  created_at: string;
  updated_at: string;
}

const summaryRow = rowOf<JobSummary>()({
  id: text,
  provider: text,
  provider_job_id: textOrNull,
  dataset_id: textOrNull,
  base_model: text,
  state: text,
  fine_tuned_model: textOrNull,
  created_at: text,
  updated_at: text,
});

/**
 * Claims a job id (and, for an attach, the provider's job id) in the index. Returns the job
 * already holding that provider job when there is one, so one provider job is never tracked twice.
 */
export function claimJob(sql: SqlStorage, job: JobSummary): { created: boolean; job: JobSummary } {
  const holder = job.provider_job_id ? jobByProviderJob(sql, job.provider, job.provider_job_id) : null;
  if (holder) return { created: false, job: holder };
  const existing = getJobSummary(sql, job.id);
  if (existing) return { created: false, job: existing };
  sql.exec(
    `INSERT INTO jobs (id, provider, provider_job_id, dataset_id, base_model, state, fine_tuned_model, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    job.id, job.provider, job.provider_job_id, job.dataset_id, job.base_model, job.state, job.fine_tuned_model, job.created_at, job.updated_at,
  );
  return { created: true, job };
}

/** Mirrors a job's state from its object (called on every transition). */
export function updateJobSummary(sql: SqlStorage, patch: Pick<JobSummary, "id" | "state" | "provider_job_id" | "fine_tuned_model" | "updated_at">): void {
  sql.exec(
    "UPDATE jobs SET state = ?, provider_job_id = COALESCE(?, provider_job_id), fine_tuned_model = COALESCE(?, fine_tuned_model), updated_at = ? WHERE id = ?",
    patch.state, patch.provider_job_id, patch.fine_tuned_model, patch.updated_at, patch.id,
  );
}

export function getJobSummary(sql: SqlStorage, id: string): JobSummary | null {
  return first(summaryRow, sql, "SELECT * FROM jobs WHERE id = ?", id);
}

/** Newest first (creation order), keyset-paged by job id after or before one. */
export function listJobSummaries(sql: SqlStorage, opts: PageQuery & { state?: string }): { data: JobSummary[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, * FROM jobs",
      where: opts.state ? ["state = ?"] : [],
      args: opts.state ? [opts.state] : [],
      key: "rowid",
      order: "desc",
      cursor: keyOf(sql, "SELECT rowid AS _key FROM jobs WHERE id = ?"),
      noun: "job",
    },
    opts,
  );
  return { data: page.rows.map(summaryRow), has_more: page.has_more };
}

/** The job tracking this provider job, if any. */
export function jobByProviderJob(sql: SqlStorage, provider: string, providerJobId: string): JobSummary | null {
  return first(summaryRow, sql, "SELECT * FROM jobs WHERE provider = ? AND provider_job_id = ?", provider, providerJobId);
}
