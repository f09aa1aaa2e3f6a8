/**
 * Worker sources import without file extensions (bundler resolution), which Node's own type
 * stripping cannot follow; benches bundle the module they measure with esbuild into bench/out/
 * (git-ignored, beside node_modules so bare imports still resolve) and import the bundle.
 */
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Bundles `entry` (a path from the repository root) and imports it; bare imports stay external. */
export async function importBundled<T>(entry: string): Promise<T> {
  const outDir = join(ROOT, "bench/out");
  mkdirSync(outDir, { recursive: true });
  // Named by the whole path: two entries called index.ts must not share (and overwrite) one bundle.
  const outfile = join(outDir, `${entry.replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "_")}.bundle.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  return (await import(pathToFileURL(outfile).href)) as T;
}
