import type { TenantHandle } from "../durable/tenant";
import type { UsageEntry } from "../durable/tenant/usage";
import { costUsd, type ModelEntry } from "../llm";
import { logLine } from "../lib/log";

/** One model call's reported usage (`usage.prompt_tokens` / `completion_tokens`). */
export interface CallUsage {
  model: ModelEntry;
  kind: "chat" | "embedding";
  prompt_tokens: number;
  completion_tokens: number;
}

/** A usage entry priced from the catalog. */
export function priced(call: CallUsage): UsageEntry {
  return {
    model: call.model.id,
    kind: call.kind,
    prompt_tokens: call.prompt_tokens,
    completion_tokens: call.completion_tokens,
    cost_usd: costUsd(call.model, { input: call.prompt_tokens, output: call.completion_tokens }),
  };
}

/**
 * Adds calls to the tenant's usage (per day, model and kind). Accounting must not
 * fail the work it accounts for, so a failure here is logged, not thrown.
 */
export async function recordUsage(tenant: TenantHandle, calls: readonly CallUsage[]): Promise<void> {
  if (calls.length === 0) return;
  try {
    await tenant.usage.record(calls.map(priced));
  } catch (err) {
    logLine("error", "usage not recorded", { tenant: tenant.id, error: err instanceof Error ? err.message : String(err) });
  }
}
