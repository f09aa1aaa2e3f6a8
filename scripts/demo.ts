/**
 * `npm run demo`: the whole distillation, offline. It starts the OpenAI emulator and Distillery
 * with `wrangler dev` (every provider's base URL pointing at the emulator, whose control plane
 * the demo uses to speed up fine-tuning), then drives the public API as a user would.
 * Steps whose issues have not landed yet say so and the demo goes on.
 */
import { DistilleryClient } from "./lib/client.ts";
import { buildDataset } from "./demo/dataset.ts";
import { fineTuneStudents } from "./demo/fine-tune.ts";
import { ingestCorpus } from "./demo/ingest.ts";
import { runPrograms } from "./demo/programs.ts";
import { freePort, startDevServer } from "./lib/dev-server.ts";
import { emulatorVars, startEmulator } from "./lib/emulator.ts";
import { bold, dim, green, note, notYet, red, step } from "./lib/ui.ts";

async function main(): Promise<void> {
  console.log(bold("Distillery demo") + dim(" — offline: the local OpenAI emulator plays every provider"));
  const started = Date.now();
  step(0, "Start the emulator and Distillery (wrangler dev)");
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
  note(`${green("ready")} at ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s; the emulator at ${emulatorUrl} plays OpenAI, Together and Fireworks`);

  try {
    step(1, "Create a tenant (operator API)");
    const admin = new DistilleryClient(server.url, server.adminToken);
    const created = await admin.post("/admin/tenants", { name: "demo" }, { "Idempotency-Key": "demo-tenant" });
    const key: string = created.api_key.key;
    note(`tenant ${bold(created.tenant.id)}; API key ${created.api_key.prefix}… (shown once, kept in memory)`);
    const api = new DistilleryClient(server.url, key);
    const keys = await api.get("/api/keys");
    note(`the tenant sees ${keys.data.length} key(s); the service stores only their SHA-256 hashes`);

    step(2, "Ingest the sample corpus (PDF → token-aware chunks → embeddings → vector index)");
    await ingestCorpus(api);
    step(3, "Programs: Album and citations, tools and JSON modes, structured RAG");
    await runPrograms(api);
    step(4, "Generate and label a dataset with the teacher (label queue, filters, JSONL in R2)");
    const datasetId = await buildDataset(api);
    step(5, "Fine-tune a student with each provider (one Durable Object per job, polling with alarms)");
    await fineTuneStudents(api, emulator, datasetId);
    step(6, "Evaluate, promote, serve");
    notYet("evaluation and operations issues");

    console.log(`\n${green("done")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    server.stop();
    emulator.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`\n${red("demo failed:")} ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
