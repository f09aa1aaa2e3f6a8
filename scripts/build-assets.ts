/**
 * Builds the Worker's static assets (wrangler.jsonc `assets`, git-ignored): the API reference
 * viewer that /docs loads, copied from the swagger-ui-dist package so the page works offline
 * and never reaches a CDN. Run by the `pre` scripts of dev, test, demo, deploy and
 * check:startup, and by vitest.config.ts, so a fresh clone needs no extra step.
 *
 *   node scripts/build-assets.ts
 */
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** wrangler.jsonc's `assets.directory`, relative to the project root. */
export const ASSETS_DIR = ".build/assets";
/** Where the viewer's files are served from: `/docs/…` (the Worker serves `/docs` itself). */
const VIEWER_DIR = join(ASSETS_DIR, "docs");
const VIEWER_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"];

/** Copies the viewer's files when missing or older than the installed package's; returns the folder. */
export function buildAssets(root = ROOT): string {
  const pkgJson = createRequire(join(root, "package.json")).resolve("swagger-ui-dist/package.json");
  const from = dirname(pkgJson);
  const to = join(root, VIEWER_DIR);
  mkdirSync(to, { recursive: true });
  for (const file of VIEWER_FILES) {
    const src = join(from, file);
    const dest = join(to, file);
    if (upToDate(src, dest)) continue;
    copyFileSync(src, dest);
  }
  return join(root, ASSETS_DIR);
}

/** The swagger-ui-dist version the assets were built from (for the page's footer and the logs). */
export function viewerVersion(root = ROOT): string {
  const pkgJson = createRequire(join(root, "package.json")).resolve("swagger-ui-dist/package.json");
  return (JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string }).version;
}

function upToDate(src: string, dest: string): boolean {
  try {
    const [s, d] = [statSync(src), statSync(dest)];
    return d.size === s.size && d.mtimeMs >= s.mtimeMs;
  } catch {
    return false;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = buildAssets();
  console.log(`assets: swagger-ui-dist ${viewerVersion()} → ${dir}`);
}
