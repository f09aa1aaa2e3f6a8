import type { Bindings } from "../../env";
import type { EvalTaskMessage } from "../../queues/messages";

/** Queues one message per task (sendBatch takes at most 100). Delivering one twice writes nothing twice. */
export async function enqueueTasks(env: Bindings, tenantId: string, evalId: string, requestId: string, tasks: readonly string[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += 100) {
    const body = (task_id: string): EvalTaskMessage => ({ type: "eval.task", tenant_id: tenantId, request_id: requestId, eval_id: evalId, task_id });
    await env.EVAL_QUEUE.sendBatch(tasks.slice(i, i + 100).map((t) => ({ body: body(t) })));
  }
}
