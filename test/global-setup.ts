/// <reference path="./fixtures/provided-context.d.ts" />
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { TINY_PDF_PAGES } from "../scripts/lib/pdf/index.ts";
import { buildSamplePdfs, readSampleDocs } from "../scripts/make-samples.ts";

/**
 * Runs once in Node before the pool starts: bundles the emulator Worker for the
 * pool's auxiliary worker (auxiliary workers cannot be configured from a wrangler
 * file, so they need built JavaScript), and generates the sample PDFs, which
 * tests in workerd cannot make (pdfkit is Node-only) and read with `inject`.
 */
export default async function setup(project: TestProject): Promise<void> {
  await Promise.all([bundleEmulator(), provideSamples(project)]);
}

async function bundleEmulator(): Promise<void> {
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

/** Provided values cross into workerd as JSON, so PDFs travel as base64. */
async function provideSamples(project: TestProject): Promise<void> {
  const pdfs = await buildSamplePdfs();
  const base64 = Object.fromEntries(
    Object.entries(pdfs).map(([key, bytes]) => [key, Buffer.from(bytes).toString("base64")]),
  ) as Record<keyof typeof pdfs, string>;
  project.provide("samplePdfs", base64);
  project.provide("tinyPdfPages", [...TINY_PDF_PAGES]);
  project.provide("sampleDocs", await readSampleDocs());
}
