/**
 * The generation and labeling state of a dataset, in the tenant's database: one
 * task per chunk (questions to generate), one row per question (to label). Every
 * transition is conditional on the current state, so a redelivered message or a
 * retry changes nothing twice.
 */
import type { DatasetRecord, Split } from "./datasets";
import { getDataset } from "./datasets";

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

type Row = Record<string, SqlStorageValue>;

/** Jaccard similarity of normalised question words above which two same-answer questions are one. */
export const NEAR_DUPLICATE_THRESHOLD = 0.8;

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
  const row = sql
    .exec<Row>(
      `SELECT c.id, c.document_id, c.text, c.tokens, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
       WHERE c.id = ? AND d.status = 'ready'`,
      chunkId,
    )
    .toArray()[0];
  return row ? (row as unknown as ChunkRef) : null;
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
  const now = new Date().toISOString();
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
    `UPDATE gen_tasks SET status = 'done', questions = ?, prompt_tokens = ?, completion_tokens = ?, cost_usd = ?
     WHERE dataset_id = ? AND chunk_id = ?`,
    pending.length,
    cost.prompt_tokens,
    cost.completion_tokens,
    cost.cost_usd,
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
       cost_usd = cost_usd + ? WHERE dataset_id = ? AND chunk_id = ? AND status = 'pending'`,
    error,
    cost?.prompt_tokens ?? 0,
    cost?.completion_tokens ?? 0,
    cost?.cost_usd ?? 0,
    datasetId,
    chunkId,
  );
}

export function questionRow(sql: SqlStorage, rowId: string): QuestionRow | null {
  const row = sql
    .exec<Row>("SELECT id, dataset_id, status, question, chunk_id, attempts, split FROM dataset_rows WHERE id = ?", rowId)
    .toArray()[0];
  return row ? (row as unknown as QuestionRow) : null;
}

/** Records a labeling outcome, only on a row still pending (so a redelivery adds nothing). */
export function completeLabel(sql: SqlStorage, rowId: string, o: LabelOutcome): boolean {
  const res = sql.exec(
    `UPDATE dataset_rows SET status = ?, reason = ?, example = ?, tokens = ?, model = ?, usage = ?, cost_usd = cost_usd + ?,
       chunk_ids = ?, program = ?, program_version = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
    o.status,
    o.reason,
    o.example,
    o.tokens,
    o.model,
    o.usage,
    o.cost_usd,
    o.chunk_ids ? JSON.stringify(o.chunk_ids) : null,
    o.program,
    o.program_version,
    new Date().toISOString(),
    rowId,
  );
  return res.rowsWritten > 0;
}

/** Adds the cost of calls made on a row's behalf (also when the attempt then failed). */
export function addRowCost(sql: SqlStorage, rowId: string, cost: number): void {
  sql.exec("UPDATE dataset_rows SET cost_usd = cost_usd + ? WHERE id = ?", cost, rowId);
}

/** Counts a failed attempt on a pending row; returns the attempts so far. */
export function recordAttempt(sql: SqlStorage, rowId: string, error: string): number {
  sql.exec(
    "UPDATE dataset_rows SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
    error,
    new Date().toISOString(),
    rowId,
  );
  return sql.exec<{ attempts: number }>("SELECT attempts FROM dataset_rows WHERE id = ?", rowId).toArray()[0]?.attempts ?? 0;
}

export interface GenerationProgress {
  tasks: { pending: number; done: number; failed: number };
  questions: number;
  cost_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
}

/** Task counts and teacher spend (generation + labeling), summed from rows, never kept apart. */
export function progress(sql: SqlStorage, datasetId: string): GenerationProgress {
  const tasks = { pending: 0, done: 0, failed: 0 };
  let cost = 0;
  let prompt = 0;
  let completion = 0;
  for (const r of sql.exec<{ status: keyof typeof tasks; n: number; c: number; p: number; o: number }>(
    `SELECT status, COUNT(*) AS n, SUM(cost_usd) AS c, SUM(prompt_tokens) AS p, SUM(completion_tokens) AS o
     FROM gen_tasks WHERE dataset_id = ? GROUP BY status`,
    datasetId,
  )) {
    tasks[r.status] = r.n;
    cost += r.c;
    prompt += r.p;
    completion += r.o;
  }
  const rows = sql
    .exec<{ n: number; c: number; p: number; o: number }>(
      `SELECT COUNT(*) AS n, COALESCE(SUM(cost_usd), 0) AS c,
         COALESCE(SUM(json_extract(usage, '$.prompt_tokens')), 0) AS p, COALESCE(SUM(json_extract(usage, '$.completion_tokens')), 0) AS o
       FROM dataset_rows WHERE dataset_id = ?`,
      datasetId,
    )
    .one();
  return {
    tasks,
    questions: rows.n,
    cost_usd: cost + rows.c,
    prompt_tokens: prompt + rows.p,
    completion_tokens: completion + rows.o,
  };
}

/**
 * Moves a dataset along as its work drains: generating while any chunk task is
 * pending, labeling while any row is pending; true (once) when it is time to write
 * the files, claimed with status `writing` so only one caller does it.
 */
export function advance(sql: SqlStorage, datasetId: string): { status: string; finalize: boolean } {
  const d = getDataset(sql, datasetId);
  if (!d || !["generating", "labeling"].includes(d.status)) return { status: d?.status ?? "missing", finalize: false };
  const tasksPending = sql.exec("SELECT 1 FROM gen_tasks WHERE dataset_id = ? AND status = 'pending' LIMIT 1", datasetId).toArray().length > 0;
  const rowsPending = sql.exec("SELECT 1 FROM dataset_rows WHERE dataset_id = ? AND status = 'pending' LIMIT 1", datasetId).toArray().length > 0;
  const next = tasksPending ? "generating" : rowsPending ? "labeling" : "writing";
  // Near-duplicates can only be judged once every answer is in, just before the files are written.
  if (next === "writing") markNearDuplicates(sql, datasetId, NEAR_DUPLICATE_THRESHOLD);
  if (next !== d.status) sql.exec("UPDATE datasets SET status = ?, updated_at = ? WHERE id = ?", next, new Date().toISOString(), datasetId);
  return { status: next, finalize: next === "writing" };
}

/** Sets status (and error) unless the dataset is already in a final state other than `writing`. */
export function setDatasetStatus(sql: SqlStorage, datasetId: string, status: string, error: string | null, files?: string): void {
  sql.exec(
    `UPDATE datasets SET status = ?, error = COALESCE(?, error), files = COALESCE(?, files), updated_at = ?
     WHERE id = ? AND status NOT IN ('ready', 'cancelled', 'failed')`,
    status,
    error,
    files ?? null,
    new Date().toISOString(),
    datasetId,
  );
}

/** Cancels a dataset: pending tasks and rows fail with reason `cancelled`. Repeat-safe. */
export function cancelDataset(sql: SqlStorage, datasetId: string): void {
  const now = new Date().toISOString();
  sql.exec("UPDATE gen_tasks SET status = 'failed', error = 'cancelled' WHERE dataset_id = ? AND status = 'pending'", datasetId);
  sql.exec(
    "UPDATE dataset_rows SET status = 'failed', reason = 'cancelled', updated_at = ? WHERE dataset_id = ? AND status = 'pending'",
    now,
    datasetId,
  );
  sql.exec(
    "UPDATE datasets SET status = 'cancelled', updated_at = ? WHERE id = ? AND status IN ('open', 'generating', 'labeling', 'writing')",
    now,
    datasetId,
  );
}

/** What is still to do for a dataset: chunks awaiting questions, questions awaiting labels. */
export function pendingWork(sql: SqlStorage, datasetId: string, limit: number): { chunks: string[]; questions: string[] } {
  const chunks = sql
    .exec<{ id: string }>("SELECT chunk_id AS id FROM gen_tasks WHERE dataset_id = ? AND status = 'pending' LIMIT ?", datasetId, limit)
    .toArray()
    .map((r) => r.id);
  const questions = sql
    .exec<{ id: string }>("SELECT id FROM dataset_rows WHERE dataset_id = ? AND status = 'pending' ORDER BY rowid LIMIT ?", datasetId, limit)
    .toArray()
    .map((r) => r.id);
  return { chunks, questions };
}

/**
 * Near-duplicates: two labeled questions whose normalised word sets overlap at least
 * `threshold` (Jaccard) and whose answers are identical are one example said twice; the
 * later one is rejected as `near_duplicate`. Only rows with the same answer are compared,
 * so the cost stays near linear. Returns how many were rejected.
 */
export function markNearDuplicates(sql: SqlStorage, datasetId: string, threshold: number): number {
  const rows = sql
    .exec<{ id: string; question: string; answer: string }>(
      `SELECT id, question, COALESCE(json_extract(example, '$.messages[#-1].tool_calls[0].function.arguments'),
         json_extract(example, '$.messages[#-1].content')) AS answer
       FROM dataset_rows WHERE dataset_id = ? AND status = 'labeled' AND question IS NOT NULL AND answer IN (
         SELECT COALESCE(json_extract(example, '$.messages[#-1].tool_calls[0].function.arguments'), json_extract(example, '$.messages[#-1].content')) AS a
         FROM dataset_rows WHERE dataset_id = ? AND status = 'labeled' GROUP BY a HAVING COUNT(*) > 1)
       ORDER BY rowid`,
      datasetId,
      datasetId,
    )
    .toArray();
  const kept = new Map<string, Set<string>[]>();
  let rejected = 0;
  for (const row of rows) {
    const words = new Set(row.question.toLowerCase().normalize("NFKC").split(/[^\p{L}\p{N}]+/u).filter(Boolean));
    const group = kept.get(row.answer) ?? [];
    if (group.some((other) => jaccard(words, other) >= threshold)) {
      sql.exec("UPDATE dataset_rows SET status = 'rejected', reason = 'near_duplicate' WHERE id = ?", row.id);
      rejected++;
    } else {
      group.push(words);
      kept.set(row.answer, group);
    }
  }
  return rejected;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 1 : inter / union;
}
