/**
 * Demo step: the eval a job with `evaluate: true` started when it succeeded (its student against the
 * incumbent — the teacher until something is promoted — with its base beside them), or, when no job
 * could be evaluated (OpenAI past its cutoff, open-weights students not deployed), an eval of an
 * open-weights base against the incumbent. Prints each model's metrics with 95% intervals, cost per
 * 1k answers, the student's paired differences against its base, the decision, and the five
 * questions where the student and the teacher disagree most.
 */
import type { DistilleryClient } from "../lib/client.ts";
import { bold, dim, emulated, green, note, progress, red } from "../lib/ui.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EvalSummary {
  id: string;
  status: string;
  questions: number;
  costUsd: number;
  decision: string | null;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "  –  " : v.toFixed(3));
const ci = (i: { low: number; high: number } | null | undefined) => (i ? dim(`[${i.low.toFixed(3)}, ${i.high.toFixed(3)}]`) : dim("[–]"));
const short = (v: unknown, n = 90) => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

async function waitForEval(api: DistilleryClient, id: string): Promise<any> {
  let e = await api.get(`/api/evals/${id}`);
  // Judge tasks are created as answers come in: the bar's total is what the eval will have made in the end.
  const q = e.questions;
  const m = e.models.length;
  const judged = ["faithfulness", "answer_relevancy"].filter((k) => e.metrics.includes(k)).length;
  const total = q * m + q * m * e.repeats * judged + (e.metrics.includes("pairwise") ? q * (m - 1) * e.repeats : 0);
  const bar = progress("evaluating", Math.max(1, total));
  const deadline = Date.now() + 300_000;
  while (e.status === "running" || e.status === "reporting") {
    if (Date.now() > deadline) throw new Error(`eval ${id} still ${e.status} after 5 minutes`);
    await sleep(500);
    e = await api.get(`/api/evals/${id}`);
    bar(e.progress.tasks_done + e.progress.tasks_failed, `$${e.cost_usd.toFixed(4)} (emulated)`);
  }
  return e;
}

/** The job's eval when one of them started one; else a new eval of an open-weights base against the incumbent. */
async function findOrStart(api: DistilleryClient, jobIds: string[], snapshot: string | null): Promise<string | null> {
  // Only a servable model's job queues its eval (the others need a deployment first).
  const registry = await api.get("/api/models");
  const servable = registry.candidates.some((m: any) => m.servable);
  const deadline = Date.now() + (servable ? 20_000 : 0);
  while (Date.now() < deadline) {
    for (const id of jobIds) {
      const job = await api.get(`/api/jobs/${id}`);
      if (!job.eval_id) continue;
      const found = await api.get(`/api/evals/${job.eval_id}`).catch(() => null);
      if (found) {
        note(`job ${bold(id)} (${job.provider}) was created with ${bold("evaluate: true")}: its success started eval ${bold(job.eval_id)}`);
        return job.eval_id;
      }
    }
    await sleep(500);
  }
  if (!snapshot) return null;
  const base = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";
  note(dim(`no job's model could be called yet (open-weights students need a deployment): evaluating the base ${base} against the incumbent instead`));
  const created = await api.post("/api/evals", { dataset: snapshot, models: [base] }, { "Idempotency-Key": "demo-eval" });
  return created.id;
}

export async function evaluate(api: DistilleryClient, jobIds: string[], datasetId: string): Promise<EvalSummary | null> {
  const snapshot: string | null = (await api.get(`/api/datasets/${datasetId}`)).latest_snapshot?.id ?? null;
  const id = await findOrStart(api, jobIds, snapshot);
  if (!id) {
    note(red("nothing to evaluate"));
    return null;
  }
  const e = await waitForEval(api, id);
  if (e.status !== "completed") throw new Error(`eval ${id} ended ${e.status}: ${e.error}`);
  const r = e.report;
  note(`eval ${bold(id)} on snapshot ${e.dataset_id}: ${bold(String(r.questions))} held-out questions, judge ${r.judge.model}, incumbent ${bold(r.incumbent)}`);
  const metrics = Object.keys(r.models[0].metrics);
  for (const m of r.models) {
    note(emulated(`${bold(m.model)} ${dim(`(${m.role})`)}: ${m.answered} answers, p50 ${m.latency_ms.p50} ms, p95 ${m.latency_ms.p95} ms, ${bold(`$${(m.cost_per_1k_answers_usd ?? 0).toFixed(4)}`)} per 1k answers`));
    for (const k of metrics) {
      const s = m.metrics[k];
      const d = m.paired_vs_incumbent?.[k];
      note(
        `    ${k.padEnd(17)} ${pct(s.mean)} ${ci(s.interval)}  n=${s.n_scored}${s.n_undetermined ? dim(` (+${s.n_undetermined} undetermined)`) : ""}` +
          (d && d.difference !== null ? `   vs incumbent ${d.difference >= 0 ? "+" : ""}${d.difference.toFixed(3)} ${ci(d.interval)}` : ""),
      );
    }
    if (m.pairwise_vs_incumbent) {
      const p = m.pairwise_vs_incumbent;
      note(`    ${"pairwise".padEnd(17)} ${p.wins} wins, ${p.losses} losses, ${p.ties} ties against the incumbent ${dim("(a win holds in both orders)")}`);
    }
    if (m.paired_vs_base) {
      const f = m.paired_vs_base.metrics.faithfulness;
      const v = m.paired_vs_base.metrics.schema_validity;
      const above = (x: any) => (x?.interval && x.interval.low > 0 ? green("above 0") : dim("contains 0"));
      note(`    vs its base ${m.paired_vs_base.base}: faithfulness ${f?.difference?.toFixed(3)} ${ci(f?.interval)} ${above(f)}, schema validity ${v?.difference?.toFixed(3)} ${ci(v?.interval)} ${above(v)}`);
    }
  }
  note(`judge position-flip rate: ${r.judge.position_flip_rate === null ? "–" : `${(r.judge.position_flip_rate * 100).toFixed(1)}%`} of ${r.judge.decisive} decisive comparisons ${dim(`(judge cost $${r.judge.cost_usd.toFixed(4)})`)}`);
  note(dim(r.reference.statement));
  note(`decision: ${bold(e.decision?.decision ?? "none")}${e.decision?.reason ? dim(` — ${e.decision.reason}`) : ""}`);

  // The five questions where the student (the candidate) and the teacher's stored answer agree least.
  const student = r.models.find((m: any) => m.role === "candidate")?.model;
  const rows: any[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api.get(`/api/evals/${id}/rows?limit=100${after ? `&after=${after}` : ""}`);
    rows.push(...page.data);
    if (!page.has_more) break;
    after = page.last_id;
  }
  // Disagreement: an answer that breaks the schema first, then one that differs from the teacher's, then by how little of it agrees.
  const metricsOf = (row: any) => row.models.find((m: any) => m.model === student)?.metrics ?? {};
  const key = (row: any) => {
    const k = metricsOf(row);
    return [k.schema_validity ?? 0, k.exact_match ?? 0, k.agreement ?? 0, k.faithfulness ?? 1];
  };
  const worst = rows
    .map((row) => ({ row, k: key(row) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
      return 0;
    })
    .slice(0, 5)
    .map((x) => x.row);
  note(`the five questions where ${bold(student)} and the teacher disagree most ${dim("(schema validity, exact match, agreement with the teacher's answer, faithfulness)")}:`);
  for (const row of worst) {
    const mine = row.models.find((m: any) => m.model === student);
    const k = metricsOf(row);
    const f = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(2));
    note(`  ${dim(`valid ${f(k.schema_validity)} exact ${f(k.exact_match)} agree ${f(k.agreement)} faithful ${f(k.faithfulness)}`)}  ${short(row.question, 80)}`);
    note(dim(`       teacher: ${short(row.reference)}`));
    note(emulated(dim(`       student: ${short(mine.output ?? mine.error)}`)));
  }
  note(dim(`every row: GET /api/evals/${id}/rows (?format=csv); the report as CSV: GET /api/evals/${id}?format=csv`));
  return { id, status: e.status, questions: r.questions, costUsd: e.cost_usd, decision: e.decision?.decision ?? null };
}
