/**
 * Profiles the Worker's start-up offline (`wrangler check startup` runs it in the
 * local workerd) and fails when it is over the budget. The platform's limit is
 * 1 s on Cloudflare's CPUs; locally we hold a much tighter line so heavy modules
 * (tokenizer encodings, PDF) stay lazy.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BUDGET_MS = Number(process.env.STARTUP_BUDGET_MS ?? 400);
const out = join(mkdtempSync(join(tmpdir(), "startup-")), "worker-startup.cpuprofile");
const text = execFileSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "check", "startup", "--outfile", out], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "pipe"],
});
const bundle = text.match(/Bundle: ([^\n]+)/)?.[1]?.trim() ?? "?";
const active = Number(text.match(/Active: ([\d.]+) ms/)?.[1] ?? NaN);
console.log(`start-up: ${active} ms active CPU (budget ${BUDGET_MS} ms); bundle ${bundle}`);
if (!Number.isFinite(active)) {
  console.error(text);
  process.exit(1);
}
if (active > BUDGET_MS) {
  console.error(`start-up is over budget: ${active} ms > ${BUDGET_MS} ms (profile: ${out})`);
  process.exit(1);
}
