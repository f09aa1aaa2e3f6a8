import type { TenantHandle } from "../../durable/tenant";
import type { EvalTask } from "../../durable/tenant/evals";
import type { RowRecord } from "../../durable/tenant/datasets";
import type { Bindings } from "../../env";
import { nowMs } from "../../lib/clock";
import { unixSeconds } from "../../lib/unix-time";
import { referenceOutput } from "../replay";
import { decide } from "./decision";
import { buildReport, csvLine, reportCsv, type EvalReport } from "./report";
import { questionOf } from "./tasks";

/** Where an eval's files live in R2: under its tenant, like every other file of the tenant. */
export const evalKeys = (tenantId: string, evalId: string) => {
  const dir = `tenants/${tenantId}/evals/${evalId}`;
  return { dir, report: `${dir}/report.json`, reportCsv: `${dir}/report.csv`, rowsCsv: `${dir}/rows.csv` };
};

/** One question as the rows view shows it: the input, each model's output side by side, each metric, the judge's explanations. */
export interface EvalRowView {
  object: "eval.row";
  id: string;
  seq: number;
  question: string;
  chunk_ids: string[];
  reference: unknown;
  /** When the question's row was labeled (unix seconds). */
  created_at: number;
  models: Array<{
    model: string;
    output: unknown;
    error: string | null;
    latency_ms: number | null;
    metrics: Record<string, number | null>;
    undetermined: Record<string, string>;
    explanations: string[];
  }>;
}

/** A question's row view from its dataset row and its tasks. */
export function rowView(models: readonly { id: string }[], q: { seq: number; row: RowRecord; tasks: EvalTask[] }): EvalRowView {
  return {
    object: "eval.row",
    id: q.row.id,
    seq: q.seq,
    question: questionOf(q.row),
    chunk_ids: q.row.chunk_ids ?? [],
    reference: referenceOutput(q.row),
    created_at: unixSeconds(q.row.created_at),
    models: models.map((ref, m) => {
      const mine = q.tasks.filter((t) => t.model === m);
      const answer = mine.find((t) => t.kind === "answer");
      const metrics: Record<string, number | null> = {};
      const undetermined: Record<string, string> = {};
      for (const k of ["schema_validity", "agreement", "exact_match"]) {
        const v = answer?.extra?.[k];
        metrics[k] = typeof v === "number" ? v : null;
      }
      const explanations: string[] = [];
      for (const kind of ["faithfulness", "answer_relevancy", "pairwise"] as const) {
        const reps = mine.filter((t) => t.kind === kind && t.state === "done");
        if (reps.length === 0) continue;
        const scored = reps.map((t) => t.score).filter((s): s is number => s !== null);
        metrics[kind] = scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null;
        if (!scored.length && reps[0]!.undetermined) undetermined[kind] = reps[0]!.undetermined;
        for (const t of reps) {
          const ex = t.result?.explanations;
          if (Array.isArray(ex)) explanations.push(...ex.map(String));
          const st = t.result?.statements;
          if (Array.isArray(st)) for (const v of st as Array<{ statement?: string; verdict?: string; reason?: string }>) explanations.push(`${v.verdict}: ${v.statement} (${v.reason})`);
        }
      }
      return {
        model: ref.id,
        output: answer?.result?.output ?? null,
        error: answer?.state === "failed" ? String(answer.result?.error ?? "failed") : ((answer?.result?.error as string | null | undefined) ?? null),
        latency_ms: typeof answer?.extra?.latency_ms === "number" ? answer.extra.latency_ms : null,
        metrics,
        undetermined,
        explanations,
      };
    }),
  };
}

const ROW_METRICS = ["schema_validity", "agreement", "exact_match", "faithfulness", "answer_relevancy", "pairwise"];

/** The rows as CSV: one line per question, each model's output and metrics side by side. */
async function rowsCsv(tenant: TenantHandle, evalId: string, models: readonly { id: string }[]): Promise<string> {
  const head = ["seq", "row_id", "question", "chunk_ids", "reference"];
  for (const m of models) head.push(`${m.id}:output`, ...ROW_METRICS.map((k) => `${m.id}:${k}`), `${m.id}:explanations`);
  let out = csvLine(head);
  let after: string | undefined;
  for (;;) {
    const page = await tenant.evals.questions(evalId, { limit: 100, ...(after ? { after } : {}) });
    for (const q of page.data) {
      const v = rowView(models, q);
      const line: unknown[] = [v.seq, v.id, v.question, v.chunk_ids.join(" "), v.reference];
      for (const m of v.models) line.push(m.output, ...ROW_METRICS.map((k) => m.metrics[k] ?? null), m.explanations.join(" | "));
      out += csvLine(line);
    }
    if (!page.has_more || page.data.length === 0) break;
    after = page.data.at(-1)!.row.id;
  }
  return out;
}

/**
 * An eval whose tasks are all finished: its report (from every task's score), the decision hook's
 * answer, the files in R2 (report JSON and CSV, rows CSV), then `completed`. Safe to repeat: the
 * files are rewritten with the same content, and only a `reporting` eval completes.
 */
export async function finalizeEval(env: Bindings, tenant: TenantHandle, evalId: string, requestId: string): Promise<EvalReport | null> {
  const { eval: e, tasks, rejected, considered } = await tenant.evals.scores(evalId);
  if (e.status !== "reporting") return null;
  const report = buildReport({ eval: e, tasks, rejected, considered, at: Math.floor(nowMs() / 1000) });
  const decision = await decide({ env, tenantId: tenant.id, evalId, jobId: e.job_id, requestId, report });
  const done: EvalReport = { ...report, status: "completed", decision };
  const keys = evalKeys(tenant.id, evalId);
  const csv = await rowsCsv(tenant, evalId, e.config.models);
  const meta = { httpMetadata: { contentType: "text/csv; charset=utf-8" } };
  await Promise.all([
    env.DATA.put(keys.report, JSON.stringify(done), { httpMetadata: { contentType: "application/json" } }),
    env.DATA.put(keys.reportCsv, reportCsv(done), meta),
    env.DATA.put(keys.rowsCsv, csv, meta),
  ]);
  await tenant.evals.complete(evalId, decision, keys.report);
  return done;
}
