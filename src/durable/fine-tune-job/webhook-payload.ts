import type { JobRecord } from "./record";
import type { JobWebhookEvent } from "../../webhooks/events";

/** The event a finished job sends: the job's outcome, never its secret or storage keys. */
export function jobEvent(job: JobRecord, eventId: string): JobWebhookEvent {
  return {
    id: eventId,
    type: `fine_tune.job.${job.state}` as JobWebhookEvent["type"],
    created: Math.floor(Date.parse(job.timings.finished_at ?? job.updated_at) / 1000),
    data: {
      job: {
        id: job.id,
        state: job.state,
        provider: job.provider,
        provider_job_id: job.provider_job_id,
        fine_tuned_model: job.fine_tuned_model,
        error: job.error,
        dataset: job.dataset?.id ?? "",
        base_model: job.base_model,
      },
    },
  };
}
