import { now, nowMs } from "../../../lib/clock";
import { planGeneration, type Estimate, type GenerationRequest } from "../../../datasets/plan";
import { ApiError } from "../../../errors";
import { newId } from "../../../lib/ids";
import type { LabelQueueMessage } from "../../../queues/messages";
import { advance, pendingWork, progress, renewLease, setDatasetStatus } from "../dataset-state";
import { DATASET_LEASE_MS, registerInFlight } from "../recovery";
import { createDataset, getDataset, type DatasetRecord } from "../datasets";
import { getChunks, getDocument, type RetrievedChunk } from "../documents";
import {
  addGenTasks,
  addRowCost,
  chunkForQuestions,
  chunkRefs,
  completeLabel,
  configOf,
  failedOutcome,
  finishedRows,
  keepSources,
  keptSources,
  type KeptMatch,
  failGenTask,
  finishGenTask,
  lastError,
  questionRow,
  readyDocuments,
  recordAttempt,
  recordGenAttempt,
  type CallCost,
  type ChunkRef,
  type GenerationConfig,
  type LabelOutcome,
  type NewQuestion,
  type QuestionRow,
} from "../generation";
import { acquireLeases, leasesHeld, releaseLeases } from "../leases";
import { getProgram, type ProgramRecord } from "../programs";
import { recordUsage, type UsageEntry } from "../usage";
import { toSources, type RetrievedSource } from "../../../retrieval/retrieve";
import { Surface, surface } from "./surface";

/** A queued step as the object sees it: its message, and who holds its lease (the message id). */
export interface StepRef {
  holder: string;
  message: LabelQueueMessage;
}

/** What a step is to do, decided in one call (see `begin`). */
export type StepStart =
  | { state: "busy" }
  | { state: "done"; finalize: boolean }
  | { state: "generate"; chunk: ChunkRef; eval_fraction: number; config: GenerationConfig }
  | { state: "label"; question: string; program: ProgramRecord; config: GenerationConfig; kept: RetrievedSource[] | null };

/** What an attempt cost: its teacher spend (counted on the row) and every call's usage. */
export interface StepSpend {
  cost_usd: number;
  usage: UsageEntry[];
  /** A label step's retrieval, done before the call that failed: kept for the retry. */
  kept?: KeptMatch[];
}

/** The lease that bounds one tenant's concurrent steps (LABEL_CONCURRENCY). */
const LEASE = "label";
/** Steps of a capped dataset in flight before any has finished (and its cost is known). */
const BUDGET_BLIND_STEPS = 4;

/**
 * A generated dataset's pipeline: planning it, then each queued step (questions per chunk,
 * a label per question) as one call to begin and one to finish. Every transition is
 * conditional on the current state, so a redelivered message changes nothing twice.
 */
export class GenerationSurface extends Surface {
  /** Checks and plans a generation; unless a dry run, creates the dataset and a task per chunk. */
  async plan(req: GenerationRequest): Promise<{ dataset: DatasetRecord | null; estimate: Estimate; chunks: string[] }> {
    const sql = this.sql;
    const { config, chunks, estimate } = planGeneration(this.env, req, {
      program: (name) => getProgram(sql, name),
      document: (id) => getDocument(sql, id),
      readyDocuments: (ids) => readyDocuments(sql, ids),
      chunkRefs: (ids) => chunkRefs(sql, ids),
    });
    if (req.dry_run) return { dataset: null, estimate, chunks: [] };
    const dataset = createDataset(sql, {
      id: newId("ds"),
      name: req.name,
      status: "generating",
      eval_fraction: req.eval_fraction,
      config: { ...config },
      lease_until: nowMs() + DATASET_LEASE_MS,
    });
    if (!dataset) throw new ApiError("conflict", `A dataset named ${req.name} exists.`);
    addGenTasks(sql, dataset.id, chunks);
    await registerInFlight(sql, this.env.TENANTS);
    return { dataset, estimate, chunks };
  }

  /**
   * Begins steps, in order: each is `done` (nothing to do: a redelivery, a dataset gone; or
   * stopped here: over budget, its chunk or program gone), `busy` (no lease free: ask again
   * soon), or granted a lease and answered with all it needs. `finalize` on a done step: the
   * dataset has no work left and this caller must write its files.
   */
  begin(steps: StepRef[], lease: { max: number; ttlMs: number }): StepStart[] {
    const at = nowMs();
    const spent = new Map<string, number>();
    const done = { state: "done" as const, finalize: false };
    // A step seen, even one that must wait for a slot, is the dataset's work alive: its lease is renewed.
    for (const id of new Set(steps.map((s) => s.message.dataset_id))) renewLease(this.sql, id);
    const starts = steps.map((step): StepStart => {
      const work = this.#work(step.message);
      if (!work) return done;
      // The lease before the costlier checks, so a step waiting for a slot re-reads little.
      if (acquireLeases(this.sql, LEASE, [step.holder], lease.max, lease.ttlMs, at).length === 0) return { state: "busy" };
      if (!this.#budgetRoom(work.dataset, at)) {
        releaseLeases(this.sql, LEASE, [step.holder]);
        return { state: "busy" };
      }
      const start = this.#start(step.message, work, spent);
      if (start.state === "done") releaseLeases(this.sql, LEASE, [step.holder]);
      return start;
    });
    // Done steps may have been the dataset's last work: move each dataset along once.
    const finalized = new Set<string>();
    return starts.map((start, i) => {
      if (start.state !== "done") return start;
      const datasetId = steps[i]!.message.dataset_id;
      if (finalized.has(datasetId)) return start;
      finalized.add(datasetId);
      return { state: "done", finalize: advance(this.sql, datasetId).finalize };
    });
  }

  /** A chunk's questions: new ones stored pending (their ids returned, to queue for labeling). */
  finishQuestions(step: StepRef, questions: NewQuestion[], cost: CallCost, usage: UsageEntry[]): { pending: string[]; finalize: boolean } {
    const m = this.#generate(step);
    this.#record(usage);
    const dataset = getDataset(this.sql, m.dataset_id);
    const pending = dataset ? finishGenTask(this.sql, dataset, m.chunk_id, questions, cost, configOf(dataset).max_questions) : [];
    return { pending, finalize: this.#end(step) };
  }

  /** A question's outcome (labeled, rejected), with its cost and the calls' usage. */
  finishLabel(step: StepRef, outcome: LabelOutcome, usage: UsageEntry[]): { finalize: boolean } {
    const m = this.#label(step);
    this.#record(usage);
    completeLabel(this.sql, m.question_id, outcome);
    return { finalize: this.#end(step) };
  }

  /**
   * A failed attempt: its spend recorded; a final error fails the row or task at once, a
   * retryable one counts an attempt (`attempts`: so far; the caller decides on dead-lettering).
   */
  failStep(step: StepRef, failure: { error: string; retryable: boolean }, spend: StepSpend): { attempts: number; finalize: boolean } {
    const m = step.message;
    this.#record(spend.usage);
    // The calls that did happen still cost money: count them on the row.
    if (m.type === "dataset.label" && spend.cost_usd > 0) addRowCost(this.sql, m.question_id, spend.cost_usd);
    if (m.type === "dataset.label" && failure.retryable && spend.kept) keepSources(this.sql, m.question_id, spend.kept);
    let attempts = 0;
    if (!failure.retryable) this.#giveUp(m, `error: ${failure.error}`);
    else attempts = m.type === "dataset.generate" ? recordGenAttempt(this.sql, m.dataset_id, m.chunk_id, failure.error) : recordAttempt(this.sql, m.question_id, failure.error);
    return { attempts, finalize: this.#end(step) };
  }

  /** A step that used up its attempts (its dead letter): failed with the last error it saw. */
  giveUp(message: LabelQueueMessage): { finalize: boolean } {
    const id = message.type === "dataset.generate" ? message.chunk_id : message.question_id;
    const last = lastError(this.sql, message.dataset_id, id);
    // No error recorded: every delivery ended without one (the invocation was stopped).
    this.#giveUp(message, `gave_up: ${last ?? "interrupted: every attempt was stopped before it finished, with no error to report (CPU time or memory)"}`);
    return { finalize: advance(this.sql, message.dataset_id).finalize };
  }

  /** The retrieved chunks' text, for a label step's sources. */
  sources(ids: string[]): RetrievedChunk[] {
    return getChunks(this.sql, ids);
  }

  /** What is still to do for a dataset: chunks awaiting questions, questions awaiting labels. */
  pending(datasetId: string, limit: number): { chunks: string[]; questions: string[] } {
    return pendingWork(this.sql, datasetId, limit);
  }

  /** The dataset (and question) a step works on, or null when there is nothing to do (a redelivery, a dataset gone or done). */
  #work(m: LabelQueueMessage): { dataset: DatasetRecord; row: QuestionRow | null } | null {
    const dataset = getDataset(this.sql, m.dataset_id);
    if (m.type === "dataset.generate") return dataset?.status === "generating" ? { dataset, row: null } : null;
    if (!dataset || !["generating", "labeling"].includes(dataset.status)) return null;
    const row = questionRow(this.sql, m.question_id);
    return row?.status === "pending" ? { dataset, row } : null;
  }

  /** What a leased step is to do; a step stopped here (budget, chunk or program gone) is recorded as such. */
  #start(m: LabelQueueMessage, { dataset, row }: { dataset: DatasetRecord; row: QuestionRow | null }, spent: Map<string, number>): StepStart {
    const done = { state: "done" as const, finalize: false };
    const config = configOf(dataset);
    if (m.type === "dataset.generate") {
      if (this.#overBudget(dataset, spent, "work stopped")) {
        failGenTask(this.sql, dataset.id, m.chunk_id, "max_cost_reached");
        return done;
      }
      const chunk = chunkForQuestions(this.sql, m.chunk_id);
      if (!chunk) {
        failGenTask(this.sql, dataset.id, m.chunk_id, "the chunk's document is no longer ready");
        return done;
      }
      return { state: "generate", chunk, eval_fraction: dataset.eval_fraction, config };
    }
    if (this.#overBudget(dataset, spent, "labeling stopped")) {
      completeLabel(this.sql, m.question_id, failedOutcome("max_cost_reached"));
      return done;
    }
    const program = getProgram(this.sql, config.program, config.program_version);
    if (!program) {
      completeLabel(this.sql, m.question_id, failedOutcome(`error: not_found: Program ${config.program} v${config.program_version} is gone.`));
      return done;
    }
    // A retry reuses the retrieval an earlier attempt paid for (no second embedding call).
    const kept = keptSources(this.sql, m.question_id);
    const sources = kept ? toSources(kept.map((k) => ({ id: k.chunk_id, score: k.score })), getChunks(this.sql, kept.map((k) => k.chunk_id))) : null;
    return { state: "label", question: row!.question, program, config, kept: sources };
  }

  /**
   * Whether one more step of a capped dataset may start: the steps in flight (the tenant's leases,
   * this one's included) at the dataset's average step cost must fit what is left of its cap; with
   * no step finished yet, as many as the first window (BUDGET_BLIND_STEPS). Without this, a wide
   * fan-out would begin dozens of steps before the first one's cost is known. A dataset already
   * over its cap gets room, for #start to stop the step and say why.
   */
  #budgetRoom(dataset: DatasetRecord, at: number): boolean {
    const cap = configOf(dataset).max_cost_usd;
    if (cap === null || cap === undefined) return true;
    const inflight = leasesHeld(this.sql, LEASE, at);
    if (inflight <= 1) return true;
    const p = progress(this.sql, dataset.id);
    if (p.cost_usd >= cap) return true;
    const finished = p.tasks.done + p.tasks.failed + finishedRows(this.sql, dataset.id);
    if (finished === 0) return inflight <= BUDGET_BLIND_STEPS;
    return p.cost_usd + (inflight * p.cost_usd) / finished <= cap;
  }

  /** Whether the dataset has spent its `max_cost_usd` (then the status says why work stopped). */
  #overBudget(dataset: DatasetRecord, spent: Map<string, number>, what: string): boolean {
    const cap = configOf(dataset).max_cost_usd;
    if (cap === null || cap === undefined) return false;
    let cost = spent.get(dataset.id);
    if (cost === undefined) spent.set(dataset.id, (cost = progress(this.sql, dataset.id).cost_usd));
    if (cost < cap) return false;
    setDatasetStatus(this.sql, dataset.id, dataset.status, `max_cost_usd of ${cap} reached: ${what}`);
    return true;
  }

  #giveUp(m: LabelQueueMessage, reason: string): void {
    if (m.type === "dataset.generate") failGenTask(this.sql, m.dataset_id, m.chunk_id, reason);
    else completeLabel(this.sql, m.question_id, failedOutcome(reason));
  }

  #record(usage: UsageEntry[]): void {
    const at = now();
    for (const entry of usage) recordUsage(this.sql, entry, at);
  }

  /** After a step: its lease freed, its dataset moved along; true when the caller must write the files. */
  #end(step: StepRef): boolean {
    releaseLeases(this.sql, LEASE, [step.holder]);
    return advance(this.sql, step.message.dataset_id).finalize;
  }

  #generate(step: StepRef): Extract<LabelQueueMessage, { type: "dataset.generate" }> {
    if (step.message.type !== "dataset.generate") throw new ApiError("bad_request", "Not a question-generation step.");
    return step.message;
  }

  #label(step: StepRef): Extract<LabelQueueMessage, { type: "dataset.label" }> {
    if (step.message.type !== "dataset.label") throw new ApiError("bad_request", "Not a labeling step.");
    return step.message;
  }
}
surface(GenerationSurface, "generation");
