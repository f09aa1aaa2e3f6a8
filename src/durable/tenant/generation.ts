import { nowIso } from "../../lib/clock";
import { toMicros } from "../../lib/money";
/**
 * The generation and labeling state of a dataset, in the tenant's database: one
 * task per chunk (questions to generate), one row per question (to label). Every
 * transition is conditional on the current state, so a redelivered message or a
 * retry changes nothing twice.
 */
import { first, num, oneOf, rowOf, text, textOrNull } from "../sql-rows";
import type { DatasetRecord, Split } from "./datasets";

export interface ChunkRef {
  id: string;
  document_id: string;
  text: string;
  title: string;
  tokens: number;
}

export interface NewQuestion {
  id: string;
  text: string;
  norm: string;
  split: Split;
}

export interface CallCost {
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

export interface QuestionRow {
  id: string;
  dataset_id: string;
  status: string;
  question: string;
  chunk_id: string | null;
  attempts: number;
  split: Split;
}

/** A generated dataset's settings, as stored in its config when it was created. */
export interface GenerationConfig {
  program: string;
  program_version: number;
  questions_per_chunk: number;
  question_prompt: string | null;
  teacher_model: string;
  top_k: number;
  max_questions: number | null;
  max_cost_usd: number | null;
}

export function configOf(d: DatasetRecord): GenerationConfig {
  return d.config as unknown as GenerationConfig;
}

export interface LabelOutcome {
  status: "labeled" | "rejected" | "failed";
  reason: string | null;
  example: string | null;
  tokens: number | null;
  model: string | null;
  usage: string | null;
  cost_usd: number;
  chunk_ids: string[] | null;
  program: string | null;
  program_version: number | null;
}

const chunkRefRow = rowOf<ChunkRef>()({ id: text, document_id: text, text: text, title: text, tokens: num });

const questionRowOf = rowOf<QuestionRow>()({
  id: text,
  dataset_id: text,
  status: text,
  question: text,
  chunk_id: textOrNull,
  attempts: num,
  split: oneOf<Split>(),
});

/** Ids of the ready documents among `documentIds` (all ready ones when null). */
export function readyDocuments(sql: SqlStorage, documentIds: readonly string[] | null): string[] {
  const all = sql.exec<{ id: string }>("SELECT id FROM documents WHERE status = 'ready' ORDER BY created_at, id").toArray().map((r) => r.id);
  return documentIds ? all.filter((id) => documentIds.includes(id)) : all;
}

/** The chunks of these documents, in document then chunk order. */
export function chunkRefs(sql: SqlStorage, documentIds: readonly string[]): { id: string; tokens: number }[] {
  const out: { id: string; tokens: number }[] = [];
  for (const doc of documentIds) {
    for (const r of sql.exec<{ id: string; tokens: number }>("SELECT id, tokens FROM chunks WHERE document_id = ? ORDER BY idx", doc)) {
      out.push(r);
    }
  }
  return out;
}

/** One chunk with its document's title, for question generation. */
export function chunkForQuestions(sql: SqlStorage, chunkId: string): ChunkRef | null {
  return first(
    chunkRefRow,
    sql,
    `SELECT c.id, c.document_id, c.text, c.tokens, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
     WHERE c.id = ? AND d.status = 'ready'`,
    chunkId,
  );
}

/** Adds one pending generation task per chunk (idempotent per chunk). */
export function addGenTasks(sql: SqlStorage, datasetId: string, chunkIds: readonly string[]): void {
  for (const id of chunkIds) {
    sql.exec("INSERT OR IGNORE INTO gen_tasks (dataset_id, chunk_id, status) VALUES (?, ?, 'pending')", datasetId, id);
  }
}

/**
 * Finishes a chunk's task with its questions: new ones become pending rows; a question
 * whose normalised text the dataset already has is recorded as rejected
 * (`duplicate_question`); none beyond `maxQuestions`. Returns the ids to label, or
 * nothing when the task was already finished (a redelivery).
 */
export function finishGenTask(
  sql: SqlStorage,
  dataset: DatasetRecord,
  chunkId: string,
  questions: readonly NewQuestion[],
  cost: CallCost,
  maxQuestions: number | null,
): string[] {
  const task = sql.exec<{ status: string }>("SELECT status FROM gen_tasks WHERE dataset_id = ? AND chunk_id = ?", dataset.id, chunkId).toArray()[0];
  if (!task) return [];
  if (task.status !== "pending") {
    // A redelivery after the questions were stored: hand back the ones still unlabeled, so
    // label messages lost to a failed send are sent again (labeling is idempotent).
    return sql
      .exec<{ id: string }>("SELECT id FROM dataset_rows WHERE dataset_id = ? AND chunk_id = ? AND status = 'pending'", dataset.id, chunkId)
      .toArray()
      .map((r) => r.id);
  }
  const now = nowIso();
  const pending: string[] = [];
  for (const q of questions) {
    if (maxQuestions !== null) {
      const { n } = sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM dataset_rows WHERE dataset_id = ? AND source = 'generated'", dataset.id)
        .one();
      if (n >= maxQuestions) break;
    }
    const twin = sql.exec("SELECT 1 FROM dataset_rows WHERE dataset_id = ? AND norm = ? LIMIT 1", dataset.id, q.norm).toArray().length > 0;
    const res = sql.exec(
      `INSERT OR IGNORE INTO dataset_rows (id, dataset_id, source, status, reason, split, question, chunk_id, norm, created_at, updated_at)
       VALUES (?, ?, 'generated', ?, ?, ?, ?, ?, ?, ?, ?)`,
      q.id,
      dataset.id,
      twin ? "rejected" : "pending",
      twin ? "duplicate_question" : null,
      q.split,
      q.text,
      chunkId,
      twin ? null : q.norm,
      now,
      now,
    );
    if (!twin && res.rowsWritten > 0) pending.push(q.id);
  }
  sql.exec(
    `UPDATE gen_tasks SET status = 'done', questions = ?, prompt_tokens = ?, completion_tokens = ?, cost_micros = ?
     WHERE dataset_id = ? AND chunk_id = ?`,
    pending.length,
    cost.prompt_tokens,
    cost.completion_tokens,
    toMicros(cost.cost_usd),
    dataset.id,
    chunkId,
  );
  return pending;
}

/** Counts a failed attempt on a pending generation task; returns the attempts so far. */
export function recordGenAttempt(sql: SqlStorage, datasetId: string, chunkId: string, error: string): number {
  sql.exec("UPDATE gen_tasks SET attempts = attempts + 1, error = ? WHERE dataset_id = ? AND chunk_id = ? AND status = 'pending'", error, datasetId, chunkId);
  return sql.exec<{ attempts: number }>("SELECT attempts FROM gen_tasks WHERE dataset_id = ? AND chunk_id = ?", datasetId, chunkId).toArray()[0]?.attempts ?? 0;
}

/** The last error recorded on a row or a task (for the dead-letter record). */
export function lastError(sql: SqlStorage, datasetId: string, id: string): string | null {
  const row = sql.exec<{ e: string | null }>("SELECT last_error AS e FROM dataset_rows WHERE id = ?", id).toArray()[0];
  if (row) return row.e;
  return sql.exec<{ e: string | null }>("SELECT error AS e FROM gen_tasks WHERE dataset_id = ? AND chunk_id = ?", datasetId, id).toArray()[0]?.e ?? null;
}

/** Marks a chunk's task failed (its questions are lost; the reason stays). */
export function failGenTask(sql: SqlStorage, datasetId: string, chunkId: string, error: string, cost?: CallCost): void {
  sql.exec(
    `UPDATE gen_tasks SET status = 'failed', error = ?, prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,
       cost_micros = cost_micros + ? WHERE dataset_id = ? AND chunk_id = ? AND status = 'pending'`,
    error,
    cost?.prompt_tokens ?? 0,
    cost?.completion_tokens ?? 0,
    toMicros(cost?.cost_usd ?? 0),
    datasetId,
    chunkId,
  );
}

export function questionRow(sql: SqlStorage, rowId: string): QuestionRow | null {
  return first(questionRowOf, sql, "SELECT id, dataset_id, status, question, chunk_id, attempts, split FROM dataset_rows WHERE id = ?", rowId);
}

/** A row that did not get labeled, with why. */
export function failedOutcome(reason: string): LabelOutcome {
  return { status: "failed", reason, example: null, tokens: null, model: null, usage: null, cost_usd: 0, chunk_ids: null, program: null, program_version: null };
}

/** Records a labeling outcome, only on a row still pending (so a redelivery adds nothing). */
export function completeLabel(sql: SqlStorage, rowId: string, o: LabelOutcome): boolean {
  const res = sql.exec(
    `UPDATE dataset_rows SET status = ?, reason = ?, example = ?, tokens = ?, model = ?, usage = ?, cost_micros = cost_micros + ?,
       chunk_ids = ?, program = ?, program_version = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
    o.status,
    o.reason,
    o.example,
    o.tokens,
    o.model,
    o.usage,
    toMicros(o.cost_usd),
    o.chunk_ids ? JSON.stringify(o.chunk_ids) : null,
    o.program,
    o.program_version,
    nowIso(),
    rowId,
  );
  return res.rowsWritten > 0;
}

/** Adds the cost of calls made on a row's behalf (also when the attempt then failed). */
export function addRowCost(sql: SqlStorage, rowId: string, cost: number): void {
  sql.exec("UPDATE dataset_rows SET cost_micros = cost_micros + ? WHERE id = ?", toMicros(cost), rowId);
}

/** Rows of a dataset no longer pending (labeled, rejected or failed). */
export function finishedRows(sql: SqlStorage, datasetId: string): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dataset_rows WHERE dataset_id = ? AND status != 'pending'", datasetId).one().n;
}

/** A retrieval a label step already paid for: the chunks it matched, best first. */
export interface KeptMatch {
  chunk_id: string;
  score: number;
}

/** Keeps a pending row's retrieval for its retry. */
export function keepSources(sql: SqlStorage, rowId: string, matches: readonly KeptMatch[]): void {
  sql.exec("UPDATE dataset_rows SET kept_sources = ? WHERE id = ? AND status = 'pending'", JSON.stringify(matches), rowId);
}

/** The retrieval a pending row kept from an earlier attempt, if any. */
export function keptSources(sql: SqlStorage, rowId: string): KeptMatch[] | null {
  const raw = sql.exec<{ kept_sources: string | null }>("SELECT kept_sources FROM dataset_rows WHERE id = ?", rowId).toArray()[0]?.kept_sources;
  return raw ? (JSON.parse(raw) as KeptMatch[]) : null;
}

/** Counts a failed attempt on a pending row; returns the attempts so far. */
export function recordAttempt(sql: SqlStorage, rowId: string, error: string): number {
  sql.exec(
    "UPDATE dataset_rows SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
    error,
    nowIso(),
    rowId,
  );
  return sql.exec<{ attempts: number }>("SELECT attempts FROM dataset_rows WHERE id = ?", rowId).toArray()[0]?.attempts ?? 0;
}
