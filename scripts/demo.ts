/**
 * `npm run demo`: the whole distillation, offline. It starts the OpenAI emulator and Distillery
 * with `wrangler dev` (every provider's base URL pointing at the emulator, whose control plane
 * the demo uses to speed up fine-tuning), then drives the public API as a user would.
 * Steps whose issues have not landed yet say so and the demo goes on.
 *
 * Every model output and cost it shows is the emulator's (labelled so); each step prints its time;
 * it ends with a summary of what it created, where the files are, and the cost at catalog prices.
 * `npm run demo -- --keep` leaves the server up afterwards with the tenant's key printed, until
 * Ctrl-C. The admin token never reaches a command line (scripts/lib/dev-server.ts passes it in a
 * 0600 env file), and the servers' temporary state is removed on exit.
 */
import { resolve } from "node:path";
import { DistilleryClient } from "./lib/client.ts";
import { buildDataset, type DatasetSummary } from "./demo/dataset.ts";
import { evaluate } from "./demo/evaluate.ts";
import { fineTuneStudents, type FineTuneSummary } from "./demo/fine-tune.ts";
import { deployStudent } from "./demo/deploy.ts";
import { ingestCorpus, type IngestedCorpus } from "./demo/ingest.ts";
import { runPrograms, type ProgramsSummary } from "./demo/programs.ts";
import { promoteWinner } from "./demo/promote.ts";
import { serveQuestion } from "./demo/serve.ts";
import { askThroughResponses } from "./demo/responses.ts";
import { freePort, startDevServer } from "./lib/dev-server.ts";
import { emulatorVars, startEmulator } from "./lib/emulator.ts";
import { bold, dim, green, note, red, step, usd } from "./lib/ui.ts";

const KEEP = process.argv.includes("--keep");
const timings: { title: string; seconds: number }[] = [];

/** Runs one step, printing its title first and its time after. */
async function timed<T>(n: number, title: string, fn: () => Promise<T>): Promise<T> {
  step(n, title);
  const t0 = Date.now();
  const result = await fn();
  const seconds = (Date.now() - t0) / 1000;
  timings.push({ title, seconds });
  note(dim(`step ${n}: ${seconds.toFixed(1)} s`));
  return result;
}

async function main(): Promise<void> {
  console.log(bold("Distillery demo") + dim(" — offline: the local OpenAI emulator plays every provider, so every model output and cost below is emulated"));
  const started = Date.now();
  const { emulator, server } = await timed(0, "Start the emulator and Distillery (wrangler dev)", async () => {
    const emulatorPort = await freePort();
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    const [emulator, server] = await Promise.all([
      startEmulator(emulatorPort),
      // Short polls so that the demo's jobs (on the emulator's sped-up clock) show every state.
      startDevServer({
        vars: {
          ...emulatorVars(emulatorUrl),
          JOB_POLL_FIRST_MS: "1000",
          JOB_POLL_MAX_MS: "2000",
          // `CLOCK_AT=2027-01-20T00:00:00Z npm run demo` runs the demo on another day (e.g. after OpenAI's cutoff).
          ...(process.env.CLOCK_AT ? { CLOCK_AT: process.env.CLOCK_AT } : {}),
        },
      }),
    ]);
    note(`${green("ready")} at ${server.url}; the emulator at ${emulatorUrl} plays OpenAI, Together and Fireworks`);
    return { emulator, server };
  });

  let kept = false;
  try {
    const { api, tenantId, key } = await timed(1, "Create a tenant (operator API)", async () => {
      const admin = new DistilleryClient(server.url, server.adminToken);
      const created = await admin.post("/admin/tenants", { name: "demo" }, { "Idempotency-Key": "demo-tenant" });
      const key: string = created.api_key.key;
      note(`tenant ${bold(created.tenant.id)}; API key ${created.api_key.prefix}… (shown once, kept in memory)`);
      const api = new DistilleryClient(server.url, key);
      const keys = await api.get("/api/keys");
      note(`the tenant sees ${keys.data.length} key(s); the service stores only their SHA-256 hashes`);
      return { api, tenantId: created.tenant.id as string, key };
    });

    const corpus: IngestedCorpus = await timed(2, "Ingest the sample corpus (PDF → token-aware chunks → embeddings → vector index)", () => ingestCorpus(api));
    const programs: ProgramsSummary = await timed(3, "Programs: Album and citations, tools and JSON modes, structured RAG", () => runPrograms(api));
    const dataset: DatasetSummary = await timed(4, "Generate and label a dataset with the teacher (label queue, filters, JSONL in R2)", () => buildDataset(api));
    const students: FineTuneSummary = await timed(5, "Fine-tune a student with each provider (one Durable Object per job, polling with alarms)", () =>
      fineTuneStudents(api, emulator, dataset.id),
    );
    await timed(6, "Deploy the open-weights student (Together), with its standing cost and break-even", () => deployStudent(api, emulator, students));
    const evaluation = await timed(7, "Evaluate the student against the incumbent on held-out questions (eval queue, judge, paired statistics)", () =>
      evaluate(api, students.jobs.map((j) => j.id), dataset.id),
    );
    await timed(8, "Promote the winner by the rule", () => promoteWinner(api, server.url, key, evaluation?.id));
    await timed(9, "Serve: one question through /openai/v1 with the openai SDK", () => serveQuestion(server.url, key));
    await timed(10, "Responses API: a json_schema answer and a stream through /openai/v1/responses with the openai SDK", () => askThroughResponses(server.url, key));

    const usage = await api.get("/api/usage");
    summary({ tenantId, corpus, programs, dataset, students, evaluation, usageUsd: usage.totals.cost_usd, usageCalls: usage.totals.calls, stateDir: server.dir });
    console.log(`\n${green("done")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    if (KEEP) {
      kept = true;
      console.log(`\n${bold("--keep:")} the server stays up until Ctrl-C (then it stops and its state is removed). Explore it as the tenant:`);
      console.log(`   export URL=${server.url}`);
      console.log(`   export KEY=${key}`);
      console.log(`   curl $URL/api/datasets -H "Authorization: Bearer $KEY"      ${dim("# the README's examples work from here")}`);
      console.log(dim(`   (the API is described at ${server.url}/openapi.json and ${server.url}/docs)`));
      // Ctrl-C: scripts/lib/dev-server.ts's signal handler stops both servers and removes their state.
      process.prependOnceListener("SIGINT", () => console.log("\nstopping the servers and removing their state…"));
      await new Promise<never>(() => {});
    }
  } finally {
    if (!kept) await Promise.all([server.stop(), emulator.stop()]);
  }
}

function summary(s: {
  tenantId: string;
  corpus: IngestedCorpus;
  programs: ProgramsSummary;
  dataset: DatasetSummary;
  students: FineTuneSummary;
  evaluation: Awaited<ReturnType<typeof evaluate>>;
  usageUsd: number;
  usageCalls: number;
  stateDir: string;
}): void {
  const training = s.students.jobs.reduce((sum, j) => sum + j.costUsd, 0);
  console.log(`\n${bold("Summary")}`);
  note(`${bold("created")} (tenant ${s.tenantId}):`);
  note(`  document ${s.corpus.documentId}: ${s.corpus.chunks} chunks, embedded`);
  note(`  programs ${s.programs.programs.join(", ")}; ${s.programs.runs} program runs and queries`);
  note(`  dataset ${s.dataset.id} (${s.dataset.name}): ${s.dataset.rows} questions, ${s.dataset.labeled} labeled by the teacher`);
  for (const j of s.students.jobs) note(`  job ${j.id} (${j.provider}): ${j.state}${j.model ? ` → ${j.model}` : ""}`);
  if (s.evaluation) note(`  eval ${s.evaluation.id}: ${s.evaluation.status} on ${s.evaluation.questions} questions, decision "${s.evaluation.decision}", ${usd(s.evaluation.costUsd)}`);
  note(`${bold("files on disk")}:`);
  note(`  ${resolve(s.corpus.pdfPath)}  ${dim("(the sample corpus typeset as a PDF: npm run samples)")}`);
  for (const f of s.dataset.files) note(`  ${resolve(f)}`);
  note(`  ${s.stateDir}  ${dim(`(the servers' local state: KV, R2, Durable Objects; removed when the demo ${KEEP ? "stops" : "exits"})`)}`);
  note(`${bold("cost at catalog prices")} ${dim("(emulated: nothing was billed)")}:`);
  note(`  teacher and embeddings, ${s.usageCalls} calls: ${usd(s.usageUsd)}`);
  note(`  training, ${s.students.jobs.length} job(s): ${usd(training)}`);
  note(`  total: ${usd(s.usageUsd + training)}`);
  note(`${bold("time per step")}: ${timings.map((t, i) => `${i}. ${t.seconds.toFixed(1)} s`).join(" · ")}`);
}

main().catch((err: unknown) => {
  console.error(`\n${red("demo failed:")} ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
