import type { Bindings } from "../../env";
import type { EvalReport } from "./report";

/**
 * The decision an eval's completion asks for: what to do with the candidate it measured. Eval runs
 * only ask; the rule lives elsewhere (promotion registers it with `registerDecisionHook`), so an eval
 * can finish and be read before any rule exists, and the rule can change without touching runs.
 */
export interface EvalDecision {
  /** `no rule`: nothing is registered. `promote`/`keep`: the rule's verdict. `error`: the hook threw. */
  decision: "no rule" | "promote" | "keep" | "error";
  /** The candidate the verdict is about, when there is one. */
  candidate?: string | null;
  /** Whether the verdict was carried out (e.g. promoted with `auto_promote` on). */
  applied?: boolean;
  /** A sentence a person can read. */
  reason?: string;
  /** Each condition the rule checked, with the value it read, so a report shows why. */
  conditions?: Array<{ name: string; value: number | null; threshold: number | null; passed: boolean }>;
  /** Anything else the rule wants kept with the eval (its settings as applied). */
  detail?: Record<string, unknown>;
}

/** What the hook is given: the finished eval's report and the tenant it belongs to. */
export interface DecisionInput {
  env: Bindings;
  tenantId: string;
  evalId: string;
  /** The job that started the eval, when one did (`evaluate: true`). */
  jobId: string | null;
  requestId: string;
  report: EvalReport;
}

/**
 * A decision hook. It may be called more than once for one eval (a crash between deciding and
 * storing, a sweeper's retry): it must be idempotent, as every consumer here is.
 */
export type DecisionHook = (input: DecisionInput) => Promise<EvalDecision>;

/** The default until a rule is registered. */
export const noRule: DecisionHook = async () => ({ decision: "no rule", reason: "No decision rule is registered." });

let hook: DecisionHook = noRule;

/** Registers the rule every eval's completion asks (replacing the previous one); returns a function that restores it. */
export function registerDecisionHook(fn: DecisionHook): () => void {
  const previous = hook;
  hook = fn;
  return () => {
    hook = previous;
  };
}

/** Asks the registered hook; a hook that throws gives an `error` decision (stored and shown), never a stuck eval. */
export async function decide(input: DecisionInput): Promise<EvalDecision> {
  try {
    return await hook(input);
  } catch (err) {
    return { decision: "error", reason: `The decision hook failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
