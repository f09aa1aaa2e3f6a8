import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * The Worker's wrangler.toml without its queue consumers: tests deliver every batch
 * themselves (createMessageBatch), so a background delivery by the local queue can
 * neither race a test nor outlive its file. Bindings, producers and the rest are as
 * deployed.
 */
function testWranglerConfig(): string {
  const lines = readFileSync("wrangler.toml", "utf8").split("\n");
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (/^\s*\[/.test(line)) skipping = /^\s*\[\[queues\.consumers\]\]/.test(line);
    if (!skipping) out.push(line.replace(/^main = "src\//, 'main = "../src/'));
  }
  mkdirSync(".build", { recursive: true });
  writeFileSync(".build/wrangler.test.toml", out.join("\n"));
  return "./.build/wrangler.test.toml";
}

/**
 * Tests run inside workerd (the vitest pool) against real local KV, R2, Durable
 * Objects and Queues. The OpenAI emulator runs beside the Worker under test as an
 * auxiliary Worker, built by test/global-setup.ts, and is reached through the
 * same `LOCAL_OPENAI` service binding that `wrangler dev` uses.
 */
export const TEST_ADMIN_TOKEN = "adm_test_0123456789abcdef0123456789abcdef";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: testWranglerConfig() },
      miniflare: {
        bindings: { ADMIN_TOKEN: TEST_ADMIN_TOKEN },
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
        ],
      },
    }),
  ],
  test: {
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/setup/no-secrets.ts"],
    include: ["test/**/*.test.ts"],
    // Two cores shared by workerd and vitest: a cold isolate can take seconds to start.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
