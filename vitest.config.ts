import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

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
      wrangler: { configPath: "./wrangler.toml" },
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
