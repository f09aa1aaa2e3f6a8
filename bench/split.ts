/**
 * Splitter benchmark: src/ingest/split on three corpus shapes at 1 MB and 10 MB, beside the
 * tokenizer's bare `encode` of the same text (the practical ceiling: every character must be
 * encoded at least once) and beside llamaindex's SentenceSplitter with the same settings,
 * time-boxed in a child process on growing prefixes. `npm run bench:split`.
 *
 * Environment: BENCH_SPLIT_SIZES_MB (default "1,10"), BENCH_LLAMAINDEX_BOX_S (default 60, per
 * corpus shape; 0 skips llamaindex), BENCH_RUNS (timed rounds, best kept; default 3).
 */
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import cl100k from "gpt-tokenizer/encoding/cl100k_base";
import { importBundled } from "./lib/bundle.ts";
import { CORPUS_SHAPES, type CorpusShape, makeCorpus } from "./lib/corpus.ts";
import type { ChildMessage, ChildRequest } from "./lib/llamaindex-child.ts";
import { bestOf, fmtBytes, growthExponent, mbPerS, quantile, table } from "./lib/stats.ts";

/** The part of src/ingest/split the bench uses (declared here: src resolves as a bundler would). */
interface Chunk {
  text: string;
  start: number;
  end: number;
  tokens: number;
}
type Counter = (text: string) => number;
interface SplitModule {
  splitTextWith(text: string, count: Counter, options: { chunkSize: number; chunkOverlap: number }): Chunk[];
  chunkProblems(source: string, chunks: readonly Chunk[], settings: { count: Counter; chunkSize: number; chunkOverlap: number }): string[];
}

const CHUNK_SIZE = 1024;
const CHUNK_OVERLAP = 200;
const SIZES = (process.env.BENCH_SPLIT_SIZES_MB ?? "1,10").split(",").map((mb) => Math.round(Number(mb) * 1e6));
const BOX_S = Number(process.env.BENCH_LLAMAINDEX_BOX_S ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const KIB = 1024;
const PREFIXES = [32 * KIB, 64 * KIB, 128 * KIB, 256 * KIB, 512 * KIB, 1e6, 2e6, 4e6, 1e7];

// Special-token strings are ordinary text, as in the Worker.
const PLAIN = { disallowedSpecial: new Set<string>() };
const count = (text: string) => (text ? cl100k.countTokens(text, PLAIN) : 0);

interface OurResult {
  shape: CorpusShape;
  chars: number;
  bytes: number;
  splitMs: number;
  encodeMs: number;
  countMs: number;
  tokens: number[];
  problems: string[];
}

interface LlamaResult {
  shape: CorpusShape;
  importMs: number | null;
  done: { chars: number; ms: number; chunks: number }[];
  boxedOut: boolean;
}

const split = await importBundled<SplitModule>("src/ingest/split/index.ts");
const options = { chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP };

console.log(`split bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`settings: chunk_size ${CHUNK_SIZE}, chunk_overlap ${CHUNK_OVERLAP}, cl100k_base; best of ${RUNS} rounds (5 up to 2 MB); llamaindex box ${BOX_S} s per shape\n`);

const corpora = new Map(CORPUS_SHAPES.map((shape) => [shape, makeCorpus(shape, Math.max(...SIZES, ...PREFIXES))]));

// Warm both code paths (JIT, the tokenizer's caches) before timing anything.
for (const corpus of corpora.values()) {
  const warm = corpus.slice(0, 1e6);
  split.splitTextWith(warm, count, options);
  cl100k.encode(warm, PLAIN);
}

const ours: OurResult[] = [];
for (const [shape, corpus] of corpora) {
  for (const chars of SIZES) {
    const text = corpus.slice(0, chars);
    // Short runs are noisier: time them more often.
    const runs = chars <= 2e6 ? Math.max(RUNS, 5) : RUNS;
    let chunks: Chunk[] = [];
    const best = bestOf(runs, {
      encode: () => cl100k.encode(text, PLAIN),
      count: () => cl100k.countTokens(text, PLAIN),
      split: () => (chunks = split.splitTextWith(text, count, options)),
    });
    const [encodeMs, countMs, splitMs] = [best.encode, best.count, best.split];
    const problems = split.chunkProblems(text, chunks, { count, ...options });
    const tokens = chunks.map((c) => c.tokens).sort((a, b) => a - b);
    ours.push({ shape, chars, bytes: Buffer.byteLength(text), splitMs, encodeMs, countMs, tokens, problems });
    console.log(`  ${shape} ${fmtBytes(chars)}: split ${splitMs.toFixed(0)} ms, encode ${encodeMs.toFixed(0)} ms, ${chunks.length} chunks`);
  }
}

// llamaindex is not a dependency (its 45 packages, and an optional peer that npm 10 and 11 lock
// differently, for one comparison): `npm install --no-save llamaindex@0.12.1` adds it for a run.
const llamaInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve("llamaindex");
    return true;
  } catch {
    return false;
  }
})();
if (BOX_S > 0 && !llamaInstalled) {
  console.log("llamaindex is not installed: its columns are skipped (`npm install --no-save llamaindex@0.12.1` to compare)\n");
}

const llama: LlamaResult[] = [];
if (BOX_S > 0 && llamaInstalled) {
  for (const shape of CORPUS_SHAPES) {
    const result = await runLlamaIndex(shape);
    llama.push(result);
    const last = result.done.at(-1);
    console.log(
      `  llamaindex ${shape}: ${last ? `${fmtBytes(last.chars)} in ${(last.ms / 1000).toFixed(1)} s` : "nothing"}${result.boxedOut ? ` (stopped at the ${BOX_S} s box)` : ""}`,
    );
  }
}

console.log(`\n== split: ours beside bare encode and llamaindex (chunk_size ${CHUNK_SIZE}, overlap ${CHUNK_OVERLAP}, cl100k_base)\n`);
console.log(
  table(
    ["corpus", "size", "ours MB/s", "encode MB/s", "÷ encode", "count MB/s", "÷ count", "chunks", "tokens min/p10/p50/p90/max", "checks", "llamaindex"],
    ours.map((r) => [
      r.shape,
      fmtBytes(r.chars),
      mbPerS(r.bytes, r.splitMs).toFixed(1),
      mbPerS(r.bytes, r.encodeMs).toFixed(1),
      `${(r.splitMs / r.encodeMs).toFixed(2)}×`,
      mbPerS(r.bytes, r.countMs).toFixed(1),
      `${(r.splitMs / r.countMs).toFixed(2)}×`,
      String(r.tokens.length),
      [0, 0.1, 0.5, 0.9, 1].map((q) => quantile(r.tokens, q)).join("/"),
      r.problems.length === 0 ? "ok" : `${r.problems.length} FAIL`,
      llamaCell(r),
    ]),
  ),
);

if (llama.length > 0) {
  console.log(`\n== llamaindex ${"0.12.1"} SentenceSplitter on growing prefixes (same settings; ours on the same prefix)\n`);
  const rows: string[][] = [];
  for (const result of llama) {
    let previous: { chars: number; ms: number } | undefined;
    for (const d of result.done) {
      const text = corpora.get(result.shape)!.slice(0, d.chars);
      const oursMs = bestOf(3, { split: () => split.splitTextWith(text, count, options) }).split;
      const growth = previous ? `${(d.ms / previous.ms).toFixed(1)}× for ${(d.chars / previous.chars).toFixed(1)}× text` : "";
      rows.push([result.shape, fmtBytes(d.chars), (d.ms / 1000).toFixed(2), mbPerS(d.chars, d.ms).toFixed(3), growth, String(d.chunks), (oursMs / 1000).toFixed(3)]);
      previous = d;
    }
    if (result.boxedOut) {
      const next = PREFIXES.find((p) => p > (result.done.at(-1)?.chars ?? 0));
      rows.push([result.shape, next ? fmtBytes(next) : "-", `> box`, "", "not finished", "", ""]);
    }
  }
  console.log(table(["corpus", "prefix", "llamaindex s", "MB/s", "time growth", "chunks", "ours s"], rows));
  console.log(`(llamaindex import: ${llama.map((l) => `${l.shape} ${l.importMs?.toFixed(0) ?? "?"} ms`).join(", ")}; not counted)`);
}

// Why sentence boundaries come from a regex rather than Intl.Segmenter (both exist in workerd).
{
  const text = corpora.get("paragraphs")!.slice(0, Math.max(...SIZES));
  const { sentenceCuts } = await importBundled<{ sentenceCuts(t: string, s: number, e: number): number[] }>("src/ingest/split/sentences.ts");
  const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
  const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
  const oneMb = text.slice(0, 1e6);
  let [oursCount, intlCount] = [0, 0];
  const best = bestOf(RUNS, {
    ours: () => (oursCount = sentenceCuts(text, 0, text.length).length + 1),
    intl: () => (intlCount = [...segmenter.segment(text)].length),
    graphemes: () => [...graphemes.segment(oneMb)].length,
  });
  console.log(
    `\nsentences in ${fmtBytes(text.length)} of paragraphs: our regex ${best.ours.toFixed(0)} ms (${oursCount} sentences), ` +
      `Intl.Segmenter ${best.intl.toFixed(0)} ms (${intlCount}: it also cuts after "e.g.", "Mr." and initials); ` +
      `Intl.Segmenter graphemes on 1 MB: ${best.graphemes.toFixed(0)} ms (used only inside single oversized words)`,
  );
}

const failures = ours.filter((r) => r.problems.length > 0);
for (const r of failures) console.log(`\n${r.shape} ${fmtBytes(r.chars)} guarantee failures:\n  ${r.problems.slice(0, 10).join("\n  ")}`);
process.exitCode = failures.length > 0 ? 1 : 0;

function llamaCell(r: OurResult): string {
  const result = llama.find((l) => l.shape === r.shape);
  if (!result) return "skipped";
  const same = result.done.find((d) => d.chars === r.chars);
  if (same) return `${mbPerS(r.bytes, same.ms).toFixed(3)} MB/s, ${(same.ms / r.splitMs).toFixed(0)}× ours, ${same.chunks} chunks`;
  const last = result.done.at(-1);
  if (!last) return `nothing in ${BOX_S} s`;
  // Extrapolate at the growth fitted over its prefixes from 64 KiB on.
  const fitted = result.done.filter((d) => d.chars >= 64 * KIB).map((d) => ({ size: d.chars, ms: d.ms }));
  if (fitted.length < 2) return `reached ${fmtBytes(last.chars)} in ${(last.ms / 1000).toFixed(1)} s`;
  const exponent = growthExponent(fitted);
  const estimate = last.ms * (r.chars / last.chars) ** exponent;
  return `reached ${fmtBytes(last.chars)} in ${(last.ms / 1000).toFixed(1)} s; ~${fmtDuration(estimate)} at n^${exponent.toFixed(1)}`;
}

function fmtDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(0)} h`;
}

/** llamaindex in a child process on growing prefixes, killed when the box runs out. */
function runLlamaIndex(shape: CorpusShape): Promise<LlamaResult> {
  const result: LlamaResult = { shape, importMs: null, done: [], boxedOut: false };
  const prefixes = PREFIXES.filter((p) => p <= Math.max(...SIZES));
  return new Promise((resolve, reject) => {
    const child = fork(new URL("./lib/llamaindex-child.ts", import.meta.url), { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    // llamaindex warns on import that it "was already imported"; pass anything else through.
    child.stderr?.on("data", (data: Buffer) => {
      const text = data.toString().replace(/^llamaindex was already imported.*\n?/gm, "");
      if (text.trim()) process.stderr.write(text);
    });
    const box = setTimeout(() => {
      result.boxedOut = true;
      child.kill("SIGKILL");
    }, BOX_S * 1000);
    child.on("message", (message: ChildMessage) => {
      if (message.kind === "ready") result.importMs = message.importMs;
      else result.done.push({ chars: message.chars, ms: message.ms, chunks: message.chunks });
    });
    child.on("error", reject);
    child.on("exit", () => {
      clearTimeout(box);
      resolve(result);
    });
    const request: ChildRequest = { shape, prefixes, chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP };
    child.send(request);
  });
}
