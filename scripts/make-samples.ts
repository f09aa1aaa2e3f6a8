/**
 * Writes the sample PDFs to `.build/samples/` (build output, never committed):
 * the field guide typeset from `samples/corpus/field-guide.md`, and the small
 * fixtures tests use (tiny, encrypted, no text layer, corrupt, truncated).
 *
 *   npx node scripts/make-samples.ts [outDir]
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  corruptPdf,
  encryptedPdf,
  noTextLayerPdf,
  renderMarkdownPdf,
  tinyPdf,
  truncatedPdf,
} from "./lib/pdf/index.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Where the sample documents (Markdown and text) live. */
export const SAMPLES_DIR = join(ROOT, "samples", "corpus");
export const DEFAULT_OUT_DIR = join(ROOT, ".build", "samples");

export interface SamplePdfs {
  /** The field guide as a multi-page PDF with a text layer. */
  corpusPdf: string;
  tinyPdf: string;
  encryptedPdf: string;
  noTextLayerPdf: string;
  corruptPdf: string;
  truncatedPdf: string;
  /** The sample documents as they are (Markdown and text), for uploading beside the PDF. */
  sampleDocs: string[];
}

/** Reads every sample document: file name → text. */
export async function readSampleDocs(): Promise<Record<string, string>> {
  const names = (await readdir(SAMPLES_DIR)).filter((n) => /\.(md|txt)$/.test(n)).sort();
  const docs: Record<string, string> = {};
  for (const name of names) docs[name] = await readFile(join(SAMPLES_DIR, name), "utf8");
  return docs;
}

/** Every sample PDF as bytes, keyed like {@link SamplePdfs}. */
export async function buildSamplePdfs(): Promise<Record<Exclude<keyof SamplePdfs, "sampleDocs">, Uint8Array>> {
  const guide = await readFile(join(SAMPLES_DIR, "field-guide.md"), "utf8");
  return {
    corpusPdf: await renderMarkdownPdf(guide, { author: "The Distillery project" }),
    tinyPdf: await tinyPdf(),
    encryptedPdf: await encryptedPdf(),
    noTextLayerPdf: await noTextLayerPdf(),
    corruptPdf: await corruptPdf(),
    truncatedPdf: await truncatedPdf(),
  };
}

/** Generates the sample PDFs into `outDir` and returns their paths. */
export async function makeSamplePdfs(outDir: string = DEFAULT_OUT_DIR): Promise<SamplePdfs> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const pdfs = await buildSamplePdfs();
  const files = {
    corpusPdf: "field-guide.pdf",
    tinyPdf: "tiny.pdf",
    encryptedPdf: "encrypted.pdf",
    noTextLayerPdf: "no-text-layer.pdf",
    corruptPdf: "corrupt.pdf",
    truncatedPdf: "truncated.pdf",
  } as const;
  const paths = {} as Record<keyof typeof files, string>;
  for (const key of Object.keys(files) as (keyof typeof files)[]) {
    paths[key] = join(dir, files[key]);
    await writeFile(paths[key], pdfs[key]);
  }
  const sampleDocs = Object.keys(await readSampleDocs()).map((name) => join(SAMPLES_DIR, name));
  return { ...paths, sampleDocs };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await makeSamplePdfs(process.argv[2]);
  for (const [key, value] of Object.entries(out)) console.log(`${key.padEnd(15)} ${Array.isArray(value) ? value.join(", ") : value}`);
}
