/**
 * Demo step: deploy the open-weights (Together) student on a dedicated endpoint, wait for it to
 * serve, and print its standing cost beside the teacher's: the hourly cost, and the requests a day
 * above which it costs less than sending the same questions to the teacher. Then stop it.
 */
import type { DistilleryClient } from "../lib/client.ts";
import type { Emulator } from "../lib/emulator.ts";
import { bold, dim, emulated, green, note, red } from "../lib/ui.ts";
import type { FineTuneSummary } from "./fine-tune.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Dollars to the cent, or to 4 places below a dollar (the line is labelled emulated as a whole). */
const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** The emulator run the deployment's provider calls land in (the X-Request-Id prefix before ":"). */
const RUN = "demo-deploy";

export interface DeploySummary {
  id: string | null;
  state: string;
  hourlyUsd: number | null;
  breakEven: number | null;
}

export async function deployStudent(api: DistilleryClient, emulator: Emulator, students: FineTuneSummary): Promise<DeploySummary> {
  const job = students.jobs.find((j) => j.provider === "together" && j.state === "succeeded" && j.model);
  if (!job?.model) {
    note(red("no Together student succeeded: nothing to deploy"));
    return { id: null, state: "none", hourlyUsd: null, breakEven: null };
  }
  // Five emulated minutes of provisioning pass in about five seconds.
  await emulator.configure(RUN, { clock: { speed: 60 } });
  const created = await api.post(`/api/models/${encodeURIComponent(job.model)}/deploy`, { profile: "together-1x-h100", min_replicas: 1, max_replicas: 1, idle_minutes: 60 }, {
    "Idempotency-Key": "demo-deploy-together",
    "X-Request-Id": `${RUN}:deploy`,
  });
  note(`deployment ${bold(created.id)} of ${bold(job.model)} on ${created.profile} (Together's 2.0 endpoints API): ${created.state}`);

  let d = created;
  let last = "";
  const started = Date.now();
  while (!["ready", "failed", "stopped"].includes(d.state) && Date.now() - started < 60_000) {
    await sleep(1000);
    d = await api.get(`/api/deployments/${created.id}`);
    const line = `${d.state}${d.provider_status ? ` (Together says ${d.provider_status})` : ""}`;
    if (line !== last) note(`  ${line}`);
    last = line;
  }
  if (d.state !== "ready") {
    note(red(`the deployment ended ${d.state}: ${d.error?.message ?? "timed out"}`));
    return { id: created.id, state: d.state, hourlyUsd: null, breakEven: null };
  }
  d = await api.get(`/api/deployments/${created.id}`);
  const s = d.standing;
  note(`${green("ready")}: the model is servable as ${bold(d.endpoint.inference_model)} on Together's OpenAI-compatible route`);
  note(emulated(`standing cost: ${usd(s.hourly_usd)}/hour (${usd(s.daily_usd)}/day) at ${d.profile}`));
  const tokens = s.tokens_per_answer;
  note(
    emulated(
      `teacher (${s.teacher.model}): ${s.teacher.cost_per_1k_answers_usd === null ? "no answers measured yet" : `${usd(s.teacher.cost_per_1k_answers_usd)} per 1k answers`}` +
        (tokens ? dim(` (${tokens.prompt} + ${tokens.completion} tokens an answer, from the ${tokens.source === "dataset" ? "dataset's teacher calls" : tokens.source === "eval" ? "eval" : "tenant's teacher calls"})`) : "") +
        `; spent ${usd(s.teacher.spend_30d_usd)} in 30 days`,
    ),
  );
  note(
    s.break_even_requests_per_day === null
      ? dim("break-even: unknown (no tokens per answer yet)")
      : `${bold("break-even")}: above ${bold(s.break_even_requests_per_day.toLocaleString("en-US"))} requests a day the endpoint costs less than the teacher`,
  );
  const stopped = await api.post(`/api/deployments/${created.id}/stop`, {}, { "Idempotency-Key": "demo-deploy-stop" });
  note(dim(`stopped again so it bills nothing (${stopped.state}; ${usd(stopped.cost.so_far_usd)} so far, emulated)`));
  return { id: created.id, state: "ready", hourlyUsd: s.hourly_usd, breakEven: s.break_even_requests_per_day };
}
