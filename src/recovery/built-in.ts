import { finalizeDataset, writeClaimed } from "../datasets/finalize";
import { openJob } from "../durable/fine-tune-job";
import { nowIso } from "../lib/clock";
import { enqueueWork } from "../datasets/steps";
import type { IngestMessage } from "../queues/messages";
import { registerSweepKind } from "./kinds";
import { enqueueTasks } from "../evals/runs/enqueue";
import { finalizeEval } from "../evals/runs/finish";

/** How many stalled items of a kind one tenant's sweep takes (the rest wait for the next run). */
const PER_TENANT = 100;
/** How much pending work of one dataset a sweep queues again (a larger backlog drains, renewing the lease, before the next). */
const WORK_PER_DATASET = 5_000;

/** Documents pending or processing whose ingest message was lost: queued again (ingestion resumes where it stood). */
registerSweepKind({
  name: "document",
  find: (tenant, at) => tenant.recovery.stalledDocuments(at, PER_TENANT),
  async repair(env, tenant, item, requestId) {
    if (item.action !== "resume") return;
    const message: IngestMessage = { type: "ingest.document", tenant_id: tenant.id, document_id: item.id, request_id: requestId };
    await env.INGEST_QUEUE.send(message);
  },
});

/** Datasets generating or labeling whose messages were lost: every pending chunk and question queued again (steps are idempotent). */
registerSweepKind({
  name: "dataset.generation",
  find: (tenant, at) => tenant.recovery.stalledGeneration(at, PER_TENANT, WORK_PER_DATASET),
  async repair(env, tenant, item, requestId) {
    if (item.action !== "resume") return;
    await enqueueWork(env, { tenant_id: tenant.id, request_id: requestId, dataset_id: item.id }, item.pending);
    if (item.finalize) await finalizeDataset(env, tenant, item.id, requestId);
  },
});

/** Datasets and snapshots `writing` whose writer died: the claim is taken over and the files written (to the same keys). */
registerSweepKind({
  name: "dataset.writing",
  find: (tenant, at) => tenant.recovery.stalledWriting(at, PER_TENANT),
  async repair(env, tenant, item, requestId) {
    if (item.action !== "resume") return;
    if (item.snapshot) await writeClaimed(env, tenant, item.id, requestId);
    else await finalizeDataset(env, tenant, item.id, requestId);
  },
});

/**
 * Jobs the tenant's index claimed whose object never started (the request died in between): the
 * object is asked; one that did start has its state mirrored again, one that never did is recorded
 * failed (its settings died with the request: create the job again).
 */
registerSweepKind({
  name: "job.start",
  find: (tenant, at) => tenant.recovery.stalledJobStarts(at, PER_TENANT),
  async repair(env, tenant, item) {
    const view = await openJob(env, tenant.id, item.id).get();
    const state = view ? view.state : "failed";
    await tenant.jobs.update({ id: item.id, state, provider_job_id: view?.provider_job_id ?? null, fine_tuned_model: view?.fine_tuned_model ?? null, updated_at: nowIso() });
  },
});

/**
 * Evals running or reporting past their lease (no task seen for EVAL_LEASE_MS): their pending tasks
 * queued again (a task already done is skipped by its consumer), or their report written.
 */
registerSweepKind({
  name: "eval",
  find: (tenant, at) => tenant.evals.stalled(at, PER_TENANT, WORK_PER_DATASET),
  async repair(env, tenant, item, requestId) {
    if (item.action !== "resume") return;
    if (item.status === "reporting") await finalizeEval(env, tenant, item.id, requestId);
    else await enqueueTasks(env, tenant.id, item.id, item.request_id, item.pending);
  },
});
