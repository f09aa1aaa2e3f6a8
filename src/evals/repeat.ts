import type { JudgeRecord } from "./judge-call";
import type { MetricResult } from "./result";

export const MAX_REPEATS = 5;

export interface RepeatedResult<R extends MetricResult> {
  /** Mean of the repeats that scored; null when none did. */
  score: number | null;
  /** Set when no repeat scored: the first repeat's reason. */
  undetermined: string | null;
  /** Each repeat's score (null for an undetermined one): their spread is the judge's run-to-run variance. */
  scores: Array<number | null>;
  runs: R[];
  records: JudgeRecord[];
}

/**
 * Runs a judge metric `repeats` times (1–5) for one question and averages the repeats that scored,
 * so a report measures run-to-run variance instead of hiding it. The repeats run one after another,
 * so a fan-out's pacing sees one question's calls in order.
 */
export async function repeated<R extends MetricResult>(repeats: number, run: (i: number) => Promise<R>): Promise<RepeatedResult<R>> {
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > MAX_REPEATS) throw new RangeError(`repeats must be an integer from 1 to ${MAX_REPEATS}`);
  const runs: R[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await run(i));
  const scores = runs.map((r) => r.score);
  const scored = scores.filter((s): s is number => s !== null);
  return {
    score: scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null,
    undetermined: scored.length ? null : (runs[0]?.undetermined ?? "undetermined"),
    scores,
    runs,
    records: runs.flatMap((r) => r.records),
  };
}
