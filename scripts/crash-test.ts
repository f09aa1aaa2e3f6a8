/**
 * `npm run test:crash`: kills Distillery for real (SIGKILL to `wrangler dev`'s whole process group)
 * in the middle of a dataset, twice, and checks that the sweeper alone brings it to `ready` with
 * exactly the rows and byte-identical train/eval files of a clean run.
 *
 * 1. The emulator runs on its own (port 8842), as the providers do: it outlives our crashes, and its
 *    control plane slows the calls of one run (`latency_ms`) so labeling takes long enough to kill.
 * 2. Distillery (`wrangler dev -c wrangler.jsonc -c emulator/wrangler.jsonc`, port 8841) runs detached
 *    in its own process group with a temporary `--persist-to` and `--test-scheduled`. A clean dataset
 *    is made first; then the same dataset again, killed while `labeling` with questions pending.
 * 3. Restarted on the same state with its clock an hour on (`CLOCK_AT`: every lease has lapsed) and
 *    `DEV_HOLD_WRITING=1` (a dev-only pause that production ignores): the cron (`/__scheduled`) has
 *    the sweeper re-queue the lost work; labeling ends and the writer holds, `writing`; killed again.
 * 4. Restarted two hours on, without the hold: the cron's sweeper takes over the dead writer's claim
 *    and the dataset is `ready`. Locally queued messages live in memory: only the sweeper resumes.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DistilleryClient } from "./lib/client.ts";
import { emulatorVars, startEmulator } from "./lib/emulator.ts";

const PORT = Number(process.env.CRASH_PORT ?? 8841);
const EMULATOR_PORT = Number(process.env.CRASH_EMULATOR_PORT ?? 8842);
const INSPECTOR_PORT = Number(process.env.CRASH_INSPECTOR_PORT ?? 9841);
const URL_BASE = `http://127.0.0.1:${PORT}`;
const HOUR = 3_600_000;
/** One short document: one chunk, so the questions (and the files' line order) come from one teacher answer. */
const DOCUMENT =
  "Kestrel Bay harbour has two piers. The north pier, built in 1894, serves the ferry to Gull Island, which sails " +
  "four times a day in summer and twice in winter. The south pier shelters the fishing fleet of nineteen boats; its " +
  "lighthouse was automated in 1987. Harbour dues are paid at the office beside the fish market, open from six in " +
  "the morning. The harbour master, appointed by the town council, sets the berths and closes the harbour when " +
  "the wind passes force nine. Dredging keeps the channel at four metres at low tide; it is done every third spring.";
const PROGRAM = {
  name: "facts",
  mode: "tools",
  description: "An answer with the facts it rests on.",
  prompt_template: "Context:\n{context_str}\n\nAnswer the question from the context: {query_str}",
  output_schema: {
    type: "object",
    properties: { answer: { type: "string" }, facts: { type: "array", items: { type: "string" } } },
    required: ["answer", "facts"],
  },
};
const DATASET = { program: "facts", questions_per_chunk: 10, top_k: 1, eval_fraction: 0.3 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const figures: [string, string][] = [];
const figure = (name: string, value: unknown) => {
  figures.push([name, String(value)]);
  console.log(`   ${name}: ${value}`);
};
const step = (text: string) => console.log(`== ${text}`);

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`crash test: ${message}`);
}

interface Server {
  child: ChildProcess;
  output: () => string;
}

/** Distillery under `wrangler dev`, detached in its own process group (its pid is the group's id). */
async function startDistillery(persist: string, vars: Record<string, string>): Promise<Server> {
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "-c",
    "wrangler.jsonc",
    "-c",
    "emulator/wrangler.jsonc",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--inspector-port",
    String(INSPECTOR_PORT),
    "--persist-to",
    persist,
    "--test-scheduled",
    "--log-level",
    "warn",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (b: Buffer) => void (output = (output + b.toString()).slice(-20_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${URL_BASE}/health`)).ok) return { child, output: () => output };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`wrangler dev did not answer in time:\n${output}`);
}

/** The processes left in a process group. */
function groupMembers(pgid: number): string[] {
  try {
    return execFileSync("ps", ["-o", "pid=,comm=", "-g", String(pgid)], { encoding: "utf8" })
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}

/** SIGKILL to the whole group (wrangler, its workerd, everything it spawned); asserts nothing survives. */
async function killGroup(server: Server): Promise<number> {
  const pgid = server.child.pid!;
  const before = groupMembers(pgid);
  process.kill(-pgid, "SIGKILL");
  const deadline = Date.now() + 10_000;
  let left = groupMembers(pgid);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = groupMembers(pgid);
  }
  check(left.length === 0, `processes survived SIGKILL: ${left.join(", ")}`);
  check(before.some((p) => p.endsWith("workerd")), `no workerd in the group before the kill: ${before.join(", ")}`);
  try {
    await fetch(`${URL_BASE}/health`);
    check(false, "the port still answers after the kill");
  } catch {
    // refused: nothing is listening
  }
  return before.length;
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`crash test: timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await sleep(everyMs);
  }
}

async function download(api: DistilleryClient, path: string): Promise<Buffer> {
  const res = await fetch(`${api.baseUrl}${path}`, { headers: api.authHeader() });
  check(res.ok, `GET ${path} → ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** A dataset's rows as comparable records, by question. */
async function rowsOf(api: DistilleryClient, id: string): Promise<string[]> {
  const page = await api.get(`/api/datasets/${id}/rows?limit=500`);
  return page.data
    .map((r: any) => JSON.stringify({ question: r.question, status: r.status, reason: r.reason, split: r.split, example: r.example }))
    .sort();
}

async function cron(): Promise<void> {
  const res = await fetch(`${URL_BASE}/__scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
  check(res.ok, `/__scheduled → ${res.status}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const persist = mkdtempSync(join(tmpdir(), "distillery-crash-"));
  const adminToken = `adm_${randomBytes(24).toString("base64url")}`;
  step(`emulator on ${EMULATOR_PORT}, Distillery on ${PORT} (persist ${persist})`);
  const emulator = await startEmulator(EMULATOR_PORT);
  // Labeling slow enough to be caught in the middle: the crashed dataset's calls wait 250 ms each, two steps at a time.
  await emulator.configure("crash", { latency_ms: 250 });
  const vars = { ADMIN_TOKEN: adminToken, LABEL_CONCURRENCY: "2", ...emulatorVars(emulator.url) };
  let server: Server | null = null;
  try {
    let t0 = Date.now();
    server = await startDistillery(persist, vars);
    figure("first start", `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const admin = new DistilleryClient(URL_BASE, adminToken);
    const tenant = await admin.post("/admin/tenants", { name: "crash" });
    const api = new DistilleryClient(URL_BASE, tenant.api_key.key);
    const doc = await api.post("/api/documents", { title: "Kestrel Bay harbour", text: DOCUMENT });
    await waitFor("the document", () => api.get(`/api/documents/${doc.document.id}`), (d) => d.status === "ready");
    await api.post("/api/programs", PROGRAM);

    step("a clean run");
    t0 = Date.now();
    const clean = await api.post("/api/datasets", { name: "clean", ...DATASET }, { "X-Request-Id": "clean:1" });
    const cleanDone = await waitFor("the clean dataset", () => api.get(`/api/datasets/${clean.id}`), (d) => ["ready", "failed"].includes(d.status), 60_000, 200);
    check(cleanDone.status === "ready", `clean dataset ${cleanDone.status}: ${cleanDone.error}`);
    figure("clean run", `${cleanDone.counts.rows} rows (${cleanDone.counts.by_status.labeled} labeled) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    step("kill 1: while labeling");
    const crashed = await api.post("/api/datasets", { name: "crashed", ...DATASET }, { "X-Request-Id": "crash:1" });
    const before = await waitFor(
      "labeling with questions pending",
      () => api.get(`/api/datasets/${crashed.id}`),
      (d) => d.status === "labeling" && d.counts.by_status.pending > 0 && d.counts.rows - d.counts.by_status.pending >= 2,
      60_000,
      50,
    );
    const killed = await killGroup(server);
    server = null;
    figure("kill 1", `labeling, ${before.counts.by_status.pending} of ${before.counts.rows} pending; ${killed} processes killed, none left`);

    step("restart 1 (clock +1 h, the writer held): the cron's sweeper resumes labeling");
    t0 = Date.now();
    server = await startDistillery(persist, { ...vars, CLOCK_AT: new Date(Date.now() + HOUR).toISOString(), DEV_HOLD_WRITING: "1" });
    figure("restart 1", `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const stuck = await api.get(`/api/datasets/${crashed.id}`);
    check(stuck.status === "labeling" && stuck.counts.by_status.pending > 0 && stuck.stalled === true, `after the restart: ${stuck.status}, stalled ${stuck.stalled}`);
    t0 = Date.now();
    await cron();
    const writing = await waitFor("writing (held)", () => api.get(`/api/datasets/${crashed.id}`), (d) => d.status === "writing" || d.status === "ready" || d.status === "failed", 60_000, 100);
    check(writing.status === "writing" && writing.counts.by_status.pending === 0, `expected writing, held: ${writing.status}`);
    figure("labeling resumed by the sweeper", `${((Date.now() - t0) / 1000).toFixed(1)} s to writing`);

    step("kill 2: while writing");
    const killed2 = await killGroup(server);
    server = null;
    figure("kill 2", `writing; ${killed2} processes killed, none left`);

    step("restart 2 (clock +2 h): the cron's sweeper takes over the dead writer's claim");
    t0 = Date.now();
    server = await startDistillery(persist, { ...vars, CLOCK_AT: new Date(Date.now() + 2 * HOUR).toISOString() });
    const held = await api.get(`/api/datasets/${crashed.id}`);
    check(held.status === "writing" && held.stalled === true, `after restart 2: ${held.status}, stalled ${held.stalled}`);
    await cron();
    const done = await waitFor("ready", () => api.get(`/api/datasets/${crashed.id}`), (d) => d.status === "ready" || d.status === "failed", 30_000, 200);
    check(done.status === "ready", `the crashed dataset ended ${done.status}: ${done.error}`);
    figure("writing resumed by the sweeper", `${((Date.now() - t0) / 1000).toFixed(1)} s from restart to ready`);

    step("compare with the clean run");
    const [cleanRows, crashedRows] = [await rowsOf(api, clean.id), await rowsOf(api, crashed.id)];
    check(cleanRows.length === crashedRows.length, `rows: clean ${cleanRows.length}, crashed ${crashedRows.length}`);
    check(cleanRows.every((r, i) => r === crashedRows[i]), "the crashed dataset's rows differ from the clean run's");
    check(JSON.stringify(done.counts) === JSON.stringify(cleanDone.counts), `counts differ: ${JSON.stringify(done.counts)} vs ${JSON.stringify(cleanDone.counts)}`);
    for (const split of ["train", "eval"]) {
      const [a, b] = [await download(api, `/api/datasets/${clean.id}/files/${split}`), await download(api, `/api/datasets/${crashed.id}/files/${split}`)];
      check(a.equals(b), `${split}.jsonl differs from the clean run's (${a.length} vs ${b.length} bytes)`);
      figure(`${split}.jsonl`, `${b.length} bytes, ${b.toString().split("\n").filter(Boolean).length} lines, byte-identical to the clean run's`);
    }
    figure("rows", `${crashedRows.length}, identical to the clean run's`);
    const sweeper = await admin.get("/admin/sweeper");
    figure("last sweep", JSON.stringify(sweeper.last_run?.kinds));
    figure("total", `${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log("crash test: passed");
  } finally {
    if (server) {
      try {
        process.kill(-server.child.pid!, "SIGKILL");
      } catch {
        // gone already
      }
    }
    emulator.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
