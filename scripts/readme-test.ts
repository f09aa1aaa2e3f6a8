/**
 * `npm run test:readme`: the README's API examples, run as written, in order, against a
 * `wrangler dev` this script starts, asserting the status of every curl.
 *
 * What runs: every ```sh / ```bash block of every `## ` section except those excluded by name
 * (EXCLUDED_SECTIONS: the quick start and deploying). Each block is preceded by an HTML comment,
 * invisible on GitHub, giving one step per curl (the convention is in scripts/lib/readme-blocks.ts):
 *
 *   <!-- readme-test: 201 KEY=.api_key.key; 200; 200 until:.status=ready within:120 -->
 *
 * a status, the JSON fields to save as shell variables for later blocks, and for long work a field
 * to poll until (bounded). `<!-- readme-test: skip REASON -->` leaves a block out, printed.
 *
 * How: commands run in bash (`-u`: an unset variable fails the command) with $URL, $KEY,
 * $ADMIN_TOKEN and the saved variables set, in a temporary working directory where `samples/`
 * and `.build/` point at the project's (so `@samples/...` and `-o train.jsonl` work and nothing
 * lands in the tree). curl gets `-sS -w` appended to report the status; JSON is parsed here (no jq).
 * The server: Distillery and the emulator as `npm run dev` runs them (both configs, port 8851,
 * inspector 9851, state in a temporary --persist-to), with every provider's base URL on a
 * standalone emulator (port 8852) whose default run's clock goes 60x, so a fine-tune job's ten
 * emulated minutes take ten seconds; Distillery polls jobs every 1-2 s. Everything started is
 * stopped (process groups) and its temporary state removed on exit.
 *
 * The counts never fall: BLOCK_FLOOR and COMMAND_FLOOR are the executed blocks and curls today;
 * raise them when you add examples, never lower them. And a route the sections name in prose
 * (`` `PUT /api/programs/:name` ``) fails the run unless some executed curl reaches it.
 *
 * Environment: README_TEST_PORT (8851), README_TEST_EMULATOR_PORT (8852), README_TEST_INSPECTOR_PORT (9851).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Block, type Command, documentedRoutes, missingRoutes, normalizeRoute, readBlocks, readPath } from "./lib/readme-blocks.ts";
import { startDevServer, type DevServer } from "./lib/dev-server.ts";
import { emulatorVars, startEmulator, type Emulator } from "./lib/emulator.ts";
import { makeSamplePdfs } from "./make-samples.ts";

/** Sections whose blocks are not API examples: they install, or deploy to an account. */
export const EXCLUDED_SECTIONS = ["Quick start", "Deploying"];
/** Executed blocks and curl commands today: the counts may grow, never fall. */
const BLOCK_FLOOR = 12;
const COMMAND_FLOOR = 80;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PORT = Number(process.env.README_TEST_PORT ?? 8851);
const EMULATOR_PORT = Number(process.env.README_TEST_EMULATOR_PORT ?? 8852);
const INSPECTOR_PORT = Number(process.env.README_TEST_INSPECTOR_PORT ?? 9851);
const STATUS_MARK = "\n__README_STATUS__";

interface Result {
  status: number;
  body: string;
  stderr: string;
  exitCode: number;
}

function run(command: string, env: Record<string, string>, cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-uc", command], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const at = out.lastIndexOf(STATUS_MARK);
      const status = at >= 0 ? Number(out.slice(at + STATUS_MARK.length).trim()) : 0;
      resolve({ status, body: at >= 0 ? out.slice(0, at) : out, stderr: err, exitCode: code ?? 1 });
    });
  });
}

function parseJson(body: string): unknown {
  try {
    return body.trim() ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}

/** "POST /api/documents/{…}" for the summary: the method and the path with variables folded. */
function routeOf(command: string): string {
  const method = command.match(/-X\s+([A-Z]+)/)?.[1] ?? (/\s(-d|--data[\w-]*|-F)\s/.test(command) ? "POST" : "GET");
  const url = command.match(/["']?\$URL([^\s"'?]*)/)?.[1] ?? "?";
  return `${method} ${normalizeRoute(url)}`;
}

const short = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

async function runCommand(cmd: Command, env: Record<string, string>, cwd: string): Promise<string | null> {
  if (!cmd.isCurl) {
    const r = await run(cmd.text, env, cwd);
    return r.exitCode === 0 ? null : `exit ${r.exitCode}: ${short(r.stderr || r.body)}`;
  }
  const step = cmd.step!;
  const text = `${cmd.text} -sS -w '${STATUS_MARK.replace("\n", "\\n")}%{http_code}'`;
  const deadline = Date.now() + (step.until?.withinS ?? 0) * 1000;
  for (;;) {
    const r = await run(text, env, cwd);
    if (r.exitCode !== 0) return `curl exited ${r.exitCode}: ${short(r.stderr)}`;
    if (r.status !== step.status) return `expected ${step.status}, got ${r.status}: ${short(r.body)}`;
    const json = parseJson(r.body);
    if (step.until) {
      const value = readPath(json, step.until.path);
      if (!step.until.values.includes(String(value))) {
        if (Date.now() > deadline) return `${step.until.path} still ${JSON.stringify(value)} after ${step.until.withinS} s (waiting for ${step.until.values.join(" or ")}): ${short(r.body)}`;
        await new Promise((res) => setTimeout(res, 1000));
        continue;
      }
    }
    for (const save of step.saves) {
      const value = readPath(json, save.path);
      if (value === undefined || value === null || typeof value === "object") return `no ${save.path} to save as ${save.name} in: ${short(r.body)}`;
      env[save.name] = String(value);
    }
    return null;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const blocks: Block[] = readBlocks(readme, EXCLUDED_SECTIONS);
  const documented = documentedRoutes(readme, EXCLUDED_SECTIONS);
  const runnable = blocks.filter((b) => !b.skip);
  console.log(`README: ${runnable.length} blocks to run, ${runnable.reduce((n, b) => n + b.commands.filter((c) => c.isCurl).length, 0)} curl commands` + (blocks.length > runnable.length ? `, ${blocks.length - runnable.length} skipped` : ""));

  // The sample PDF the examples upload (build output, documented in the README).
  await makeSamplePdfs();
  const work = mkdtempSync(join(tmpdir(), "distillery-readme-"));
  symlinkSync(join(ROOT, "samples"), join(work, "samples"));
  symlinkSync(join(ROOT, ".build"), join(work, ".build"));

  let emulator: Emulator | undefined;
  let server: DevServer | undefined;
  const failures: string[] = [];
  let blocksRun = 0;
  let commandsRun = 0;
  const routes = new Set<string>();
  try {
    // Both at once (the emulator's URL is known from its port): start-up is most of the wall time.
    const starting = [
      startEmulator(EMULATOR_PORT, 120_000).then((e) => (emulator = e)),
      startDevServer({
        port: PORT,
        inspectorPort: INSPECTOR_PORT,
        timeoutMs: 120_000,
        vars: { ...emulatorVars(`http://127.0.0.1:${EMULATOR_PORT}`), JOB_POLL_FIRST_MS: "1000", JOB_POLL_MAX_MS: "2000" },
      }).then((s) => (server = s)),
    ];
    // allSettled: a server that did start is stopped in `finally` even when the other failed.
    for (const r of await Promise.allSettled(starting)) if (r.status === "rejected") throw r.reason;
    if (!emulator || !server) throw new Error("unreachable: both servers started");
    // Fine-tune jobs are 10 emulated minutes (validating 1, queued 1, running 8): 10 s at 60x.
    await emulator.configure("default", { clock: { speed: 60 } });
    console.log(`server at ${server.url}, emulator at ${emulator.url} (clock 60x), ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const env: Record<string, string> = { URL: server.url, ADMIN_TOKEN: server.adminToken };

    for (const block of blocks) {
      if (block.skip) {
        console.log(`skip  ${block.section} (README line ${block.line}): ${block.skip}`);
        continue;
      }
      blocksRun++;
      console.log(`block ${block.section} (README line ${block.line})`);
      for (const cmd of block.commands) {
        const t0 = Date.now();
        const failure = await runCommand(cmd, env, work);
        const took = ((Date.now() - t0) / 1000).toFixed(1);
        const label = cmd.isCurl ? routeOf(cmd.text) : short(cmd.text, 60);
        if (cmd.isCurl) {
          commandsRun++;
          routes.add(label);
        }
        if (failure) {
          console.log(`  FAIL ${label} (${took} s): ${failure}`);
          failures.push(`${block.section}, README line ${block.line}: ${label}: ${failure}`);
          // Later commands depend on this one's answer: stop here.
          throw new Error("stopped at the first failure");
        }
        console.log(`  ok   ${cmd.isCurl ? String(cmd.step!.status).padEnd(4) : "    "}${label} (${took} s)`);
      }
    }
  } catch (err) {
    if (failures.length === 0) failures.push(err instanceof Error ? err.message : String(err));
    if (server) console.log(`\nserver log (tail):\n${server.log().slice(-3000)}`);
  } finally {
    await Promise.all([server?.stop(), emulator?.stop()]);
    rmSync(work, { recursive: true, force: true });
  }

  console.log(`\nexecuted ${blocksRun} blocks, ${commandsRun} curl commands over ${routes.size} routes in ${((Date.now() - started) / 1000).toFixed(1)} s (floors: ${BLOCK_FLOOR} blocks, ${COMMAND_FLOOR} commands); ${documented.length} routes named in the prose`);
  const missing = failures.length === 0 ? missingRoutes(documented, [...routes]) : [];
  if (missing.length > 0) failures.push(`routes the README names without an executed example: ${missing.join(", ")}`);
  if (failures.length === 0 && (blocksRun < BLOCK_FLOOR || commandsRun < COMMAND_FLOOR)) {
    failures.push(`fewer examples than the floor (${blocksRun}/${BLOCK_FLOOR} blocks, ${commandsRun}/${COMMAND_FLOOR} commands): an example was removed or skipped`);
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`FAILED: ${f}`);
    process.exit(1);
  }
}

await main();
