import { openTenant } from "../../src/durable/tenant";
import { QUEUES } from "../../src/queues/messages";
import { api, bindings } from "./api";
import { deliver } from "./queues";

/**
 * Drains an eval through its consumer, as the queue would deliver it (messages built from the tasks
 * the tenant's database says are pending), until none is pending. `copies` delivers every message
 * that many times in a row (a redelivery after each one); `onRound` may act between rounds.
 */
export async function drainEval(
  t: { id: string; key: string },
  evalId: string,
  opts: { copies?: number; maxRounds?: number; perRound?: number; onRound?: (round: number) => Promise<void> | void } = {},
): Promise<any> {
  using tenant = openTenant(bindings, t.id);
  for (let round = 0; round < (opts.maxRounds ?? 40); round++) {
    const pending = await tenant.evals.pending(evalId, opts.perRound ?? 500);
    if (pending.length === 0) break;
    const bodies = pending.map((task_id) => ({ type: "eval.task", tenant_id: t.id, request_id: "drain-eval", eval_id: evalId, task_id }));
    for (let c = 0; c < (opts.copies ?? 1); c++) await deliver(QUEUES.eval, bodies, c + 1);
    await opts.onRound?.(round);
  }
  return (await api(`/api/evals/${evalId}`, { key: t.key })).body;
}
