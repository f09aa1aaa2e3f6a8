import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { defineConfig, defineProject } from "vitest/config";
import { ASSETS_DIR, buildAssets } from "./scripts/build-assets.ts";
import { parseWranglerConfig } from "./scripts/lib/wrangler-config.ts";

/**
 * The Worker's wrangler.jsonc without its queue consumers: tests deliver every batch
 * themselves (createMessageBatch), so a background delivery by the local queue can
 * neither race a test nor outlive its file. Bindings, producers and the rest are as
 * deployed. The copy lives in .build/, so its relative paths (main, the static assets'
 * directory, which the plugin reads from the config and binds as ASSETS) are rebased;
 * the assets are built first (`npm test` also does in `pretest`, `npx vitest` does not).
 */
function testWranglerConfig(): string {
  buildAssets();
  const config = parseWranglerConfig(readFileSync("wrangler.jsonc", "utf8"));
  if (config.assets?.directory !== ASSETS_DIR) throw new Error(`wrangler.jsonc's assets.directory is not "${ASSETS_DIR}"`);
  const { $schema: _schema, ...rest } = config;
  const test = {
    ...rest,
    main: `../${config.main}`,
    assets: { ...config.assets, directory: `../${ASSETS_DIR}` },
    queues: { producers: config.queues?.producers ?? [] },
  };
  mkdirSync(".build", { recursive: true });
  writeFileSync(".build/wrangler.test.json", JSON.stringify(test, null, 2));
  return "./.build/wrangler.test.json";
}

/**
 * Test files whose whole module graph is plain TypeScript: nothing from `cloudflare:*`,
 * no `env`/`exports`, no `cloudflare:test`, no helper that imports them. They run in
 * Node, where a file costs milliseconds; everything else runs in workerd. A file listed
 * here that reaches for the runtime fails at once in Node (no package
 * `cloudflare:workers` there); a pure file left off the list still passes, only slower.
 * A pure file that asserts the runtime itself stays in workerd (schema.validator.test.ts:
 * zod's decision not to compile code there). The PDF extractor's cases run here: unpdf
 * ships one build for every runtime, and test/ingest/documents*.test.ts drive the same
 * PDFs through it in workerd.
 */
export const NODE_TESTS = [
  "test/architecture.test.ts",
  "test/secrets-check.test.ts",
  "test/datasets/import.{parse,plan,stream}.test.ts",
  "test/emulator/profiles.config.test.ts",
  "test/evals/{agreement,faithfulness,pairwise,relevancy,schema-validity,stats}.test.ts",
  "test/evals/runs.report.test.ts",
  "test/datasets/jsonl.part-buffer.test.ts",
  "test/datasets/validate.{check,limits,report}.test.ts",
  "test/ingest/chunk-pages.test.ts",
  "test/llm/live-lease.test.ts",
  "test/ingest/extract.*.test.ts",
  "test/ingest/split*.test.ts",
  "test/webhooks/*.test.ts",
  "test/lib/{backoff,clock,plain-text}.test.ts",
  "test/lib/money.test.ts",
  "test/jobs/hyperparameters.test.ts",
  "test/llm/{catalog,prices,retirement,tokens,tokens.linear}.test.ts",
  "test/openapi/validation-messages.test.ts",
  "test/programs/schema.{errors,keywords,seeds,strict}.test.ts",
  "test/queues/retry.test.ts",
  "test/scripts/readme-blocks.test.ts",
  "test/vector/{exact-index,filter,vectorize}.test.ts",
  "test/durable/poll-cadence.test.ts",
  "test/promotion/{rule,evidence}.test.ts",
  "test/serving/sse.test.ts",
  "test/serving/settings-cache.test.ts",
  "test/lib/isolate-cache.test.ts",
  "test/serving/responses/{request,response,stream}.test.ts",
  "test/middleware/request-id.test.ts",
  "test/durable/base-deployment-cost.test.ts",
  "test/llm/catalog-deployments.test.ts",
  "test/deployments/break-even.test.ts",
];

/**
 * Both projects: the suite-wide secret-leak check (console lines and response bodies), and the
 * clock every test starts at (test/setup/clock.ts).
 */
const setupFiles = ["./test/setup/no-secrets.ts", "./test/setup/clock.ts"];

/**
 * Both projects: the instant every test starts at, `TEST_CLOCK_AT=… npm test` (else the machine's
 * clock). test/setup/clock.ts reads it from process.env: a binding in workerd, an env var in Node.
 */
const TEST_CLOCK_AT = process.env.TEST_CLOCK_AT ?? "";

/**
 * Tests run inside workerd (the vitest pool) against real local KV, R2, Durable
 * Objects and Queues. The OpenAI emulator runs beside the Worker under test as an
 * auxiliary Worker, built by test/global-setup.ts, and is reached through the
 * same `LOCAL_OPENAI` service binding that `wrangler dev` uses.
 */
export const TEST_ADMIN_TOKEN = "adm_test_0123456789abcdef0123456789abcdef";

const workers = defineProject({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: testWranglerConfig() },
      miniflare: {
        // FUZZ_SEED: the fuzz suite's seed (test/fuzz/fuzz.test.ts), fixed unless given.
        bindings: { ADMIN_TOKEN: TEST_ADMIN_TOKEN, TEST_CLOCK_AT, FUZZ_SEED: process.env.FUZZ_SEED ?? "" },
        // Every fetch() the Worker makes (job webhooks) goes to the recorder, never the network.
        outboundService: "distillery-outbound",
        workers: [
          {
            name: "distillery-emulator",
            modules: true,
            scriptPath: "./.build/emulator/index.js",
            compatibilityDate: "2026-08-15",
            compatibilityFlags: ["nodejs_compat"],
            durableObjects: {
              EMULATOR_STATE: { className: "EmulatorState", useSQLite: true },
            },
          },
          {
            name: "distillery-outbound",
            modules: true,
            scriptPath: "./.build/outbound/index.js",
            compatibilityDate: "2026-08-15",
            durableObjects: { RECEIVERS: "Receivers" },
          },
        ],
      },
    }),
  ],
  test: {
    name: "workers",
    include: ["test/**/*.test.ts"],
    exclude: NODE_TESTS,
    setupFiles,
    // A workerd (one Miniflare per vitest worker: one on two cores) runs file after file,
    // importing the Worker's modules once, not per file: start-ups and imports were most
    // of the suite's time.
    // Storage and Durable Objects therefore outlive a file: a test makes its own tenant,
    // run or id and never counts what other files may have left.
    isolate: false,
    // After the node group: a group shared with node files would hand workerd's
    // reusable runner a node file next, and it would start afresh.
    sequence: { groupOrder: 1 },
    // Two cores shared by workerd and vitest: a cold isolate can take seconds to start.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

const node = defineProject({
  test: {
    name: "node",
    environment: "node",
    include: NODE_TESTS,
    setupFiles,
    // Pure modules keep at most caches, which files may share: one process runs them all.
    isolate: false,
    // The binding no-secrets.ts registers in workerd, under the same name.
    env: { ADMIN_TOKEN: TEST_ADMIN_TOKEN, TEST_CLOCK_AT },
    sequence: { groupOrder: 0 },
  },
});

export default defineConfig({
  test: {
    // Runs once in Node before either project; what it provides reaches both.
    globalSetup: ["./test/global-setup.ts"],
    projects: [node, workers],
  },
});
