/**
 * The /docs page in a real browser: starts `wrangler dev` (Distillery beside the emulator, fresh
 * state), opens /docs in headless Chromium (scripts/browser/chromium.ts), and checks that the page
 * renders every operation of /openapi.json, grouped under its tags, with the Authorize button and
 * "Try it out", and that nothing was requested outside the Worker's origin. Saves a screenshot to
 * artefacts/docs.png (git-ignored).
 *
 *   npm run test:browser            # free ports
 *   PORT=8861 npm run test:browser  # a port of your own
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./browser/chromium.ts";
import { spawnWranglerDev } from "./lib/dev-server.ts";

const ARTEFACTS = "artefacts";
const SCREENSHOT = join(ARTEFACTS, "docs.png");
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const started = Date.now();
const checks: Check[] = [];
const check = (name: string, ok: boolean, detail: string) => {
  checks.push({ name, ok, detail });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${detail}`);
};

const dev = await spawnWranglerDev({
  configs: ["wrangler.jsonc", "emulator/wrangler.jsonc"],
  readyPath: "/health",
  port: process.env.PORT ? Number(process.env.PORT) : undefined,
});
const browser = await launchChromium();
try {
  const doc = (await (await fetch(`${dev.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { tags?: string[] }>>;
    tags?: { name: string }[];
  };
  const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item).filter((m) => METHODS.includes(m)));
  const tags = (doc.tags ?? []).map((t) => t.name);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(dev.url).origin;
  const offOrigin: string[] = [];
  const failed: string[] = [];
  const consoleErrors: string[] = [];
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) offOrigin.push(url);
  });
  page.on("requestfailed", (req) => failed.push(`${req.url()} (${req.failure()?.errorText ?? "?"})`));
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });

  const response = await page.goto(`${dev.url}/docs`, { waitUntil: "networkidle" });
  check("GET /docs", response?.status() === 200, `status ${response?.status()}`);
  // Swagger UI renders one .opblock per operation once the document is loaded and every tag is open.
  // A page that renders none (or too few) is a failed check below, not an exception here.
  await page.waitForFunction((n) => document.querySelectorAll(".opblock").length >= n, operations.length, { timeout: 30_000 }).catch(() => {});
  const rendered = await page.locator(".opblock").count();
  check("operations rendered", rendered === operations.length, `${rendered} rendered, ${operations.length} in /openapi.json`);

  const renderedTags = await page.locator(".opblock-tag-section h3 .nostyle span, .opblock-tag-section h3 a span").allTextContents();
  const tagNames = [...new Set(renderedTags.map((t) => t.trim()).filter(Boolean))];
  check("grouped by tag", tagNames.join(",") === tags.join(","), `${tagNames.length} groups (${tagNames.join(", ")})`);

  // A check whose element is missing fails with its error, and the others still run.
  const attempt = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (e) {
      check(name, false, e instanceof Error ? e.message.split("\n")[0]! : String(e));
    }
  };
  await attempt("auth field", async () => {
    const authorize = await page.locator("button.authorize").count();
    check("auth field", authorize > 0, `${authorize} Authorize button(s)`);
    await page.locator("button.authorize").first().click({ timeout: 5_000 });
    const schemes = await page.locator(".auth-container").count();
    check("bearer schemes offered", schemes === 2, `${schemes} schemes in the Authorize dialog`);
    await page.locator("button.close-modal").first().click({ timeout: 5_000 });
  });
  await attempt("try it out", async () => {
    await page.locator(".opblock").first().locator(".opblock-summary").click({ timeout: 5_000 });
    const tryIt = await page.locator(".opblock").first().locator("button.try-out__btn").count();
    check("try it out", tryIt === 1, `${tryIt} "Try it out" button on the first operation`);
    await page.locator(".opblock").first().locator(".opblock-summary").click({ timeout: 5_000 });
  });

  const markdown = await page.locator(".info .markdown code, .info .renderedMarkdown code").count();
  check("Markdown rendered", markdown > 0, `${markdown} code spans in the rendered description`);

  check("no request left the origin", offOrigin.length === 0, offOrigin.length ? offOrigin.join(", ") : `only ${origin}`);
  check("no failed request", failed.length === 0, failed.length ? failed.join(", ") : "none");
  check("no console error", consoleErrors.length === 0, consoleErrors.length ? consoleErrors.join(" | ") : "none");

  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  console.log(`screenshot: ${SCREENSHOT}`);
} finally {
  await browser.close();
  dev.stop();
}

const failures = checks.filter((c) => !c.ok).length;
console.log(`browser (Chromium ${browser.version()}, /docs) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
// Not the "N passed, N failed" shape: CI reads that line as the test suite's count.
console.log(`browser checks passed: ${checks.length - failures} of ${checks.length}`);
process.exit(failures === 0 ? 0 : 1);
