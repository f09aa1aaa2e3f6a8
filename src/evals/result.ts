import type { JudgeRecord } from "./judge-call";

/**
 * A metric's answer for one question: a score in [0, 1], or `null` with the reason it is
 * undetermined (counted and shown in a report, never averaged in as 0, 1 or NaN), and the
 * judge calls it took, for audit.
 */
export interface MetricResult {
  score: number | null;
  undetermined: string | null;
  records: JudgeRecord[];
}
