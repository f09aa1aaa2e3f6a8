/**
 * The standing cost of a deployment beside the teacher's per-token cost: above how many requests a
 * day the student's endpoint (billed by the hour, whatever it serves) costs less than sending the
 * same requests to the teacher. Pure arithmetic; the figures come from the catalog and the tenant.
 */

/** Tokens one answer takes, and where the figure came from. */
export interface TokensPerAnswer {
  prompt: number;
  completion: number;
  /** `eval`: the eval's measured answers; `dataset`: the teacher's calls that labeled the model's dataset; `teacher_usage`: the tenant's recent teacher calls. */
  source: "eval" | "dataset" | "teacher_usage";
}

/** USD per 1M tokens. */
export interface TokenPrices {
  input: number;
  output: number;
}

/** USD one answer costs at these prices. */
export function answerCostUsd(tokens: Pick<TokensPerAnswer, "prompt" | "completion">, prices: TokenPrices): number {
  return (tokens.prompt * prices.input + tokens.completion * prices.output) / 1_000_000;
}

/**
 * Requests a day above which the deployment (its hourly cost × 24, plus the student's own per-answer
 * cost, 0 on a dedicated endpoint billed by the hour) costs less than the teacher; null when the
 * teacher's answer costs no more than the student's, so it never does.
 */
export function breakEvenRequestsPerDay(hourlyUsd: number, teacherPerAnswerUsd: number, studentPerAnswerUsd = 0): number | null {
  const saving = teacherPerAnswerUsd - studentPerAnswerUsd;
  if (!(saving > 0)) return null;
  return Math.ceil((hourlyUsd * 24) / saving);
}
