import { build } from "esbuild";
import { fileURLToPath } from "node:url";

/**
 * Bundles the emulator Worker for the pool's auxiliary worker (auxiliary workers
 * cannot be configured from a wrangler file, so they need built JavaScript).
 */
export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  await build({
    absWorkingDir: root,
    entryPoints: ["emulator/src/index.ts"],
    outfile: ".build/emulator/index.js",
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser", "import"],
    external: ["node:*", "cloudflare:*"],
    logLevel: "warning",
  });
}
