/// <reference path="./fixtures/provided-context.d.ts" />
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { TINY_PDF_PAGES } from "../scripts/lib/pdf/index.ts";
import { buildSamplePdfs, readSampleDocs } from "../scripts/make-samples.ts";

/**
 * Runs once in Node before the pool starts: bundles the emulator Worker and the
 * outbound recorder for the pool's auxiliary workers (auxiliary workers cannot be
 * configured from a wrangler file, so they need built JavaScript), and generates the sample PDFs, which
 * tests in workerd cannot make (pdfkit is Node-only) and read with `inject`.
 */
export default async function setup(project: TestProject): Promise<void> {
  await Promise.all([
    bundleWorker("emulator/src/index.ts", ".build/emulator/index.js"),
    bundleWorker("test/outbound/recorder.ts", ".build/outbound/index.js"),
    provideSamples(project),
  ]);
}

/** Bundles an auxiliary Worker: the emulator, and the outbound recorder that takes the tested Worker's fetch() calls. */
async function bundleWorker(entry: string, outfile: string): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
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
