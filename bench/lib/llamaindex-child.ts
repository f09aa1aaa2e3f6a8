/**
 * Runs llamaindex's SentenceSplitter on growing prefixes of one corpus and reports each timing to
 * the parent (bench/split.ts), which kills this process when its time box runs out: the package
 * is quadratic on some shapes, so a prefix may never finish. Same settings as ours: chunk_size
 * 1024, chunk_overlap 200, cl100k_base with special-token strings as ordinary text (llamaindex's
 * own default tokenizer would be gpt-tokenizer's main export, o200k_base in v4).
 */
import cl100k from "gpt-tokenizer/encoding/cl100k_base";
import { type CorpusShape, makeCorpus } from "./corpus.ts";

export interface ChildRequest {
  shape: CorpusShape;
  prefixes: number[];
  chunkSize: number;
  chunkOverlap: number;
}

export type ChildMessage = { kind: "ready"; importMs: number } | { kind: "done"; chars: number; ms: number; chunks: number };

const PLAIN = { disallowedSpecial: new Set<string>() };

process.once("message", async (request: ChildRequest) => {
  const started = performance.now();
  // Not a dependency (installed for a run with `npm install --no-save`): typed by hand, so the
  // project type-checks without it.
  const specifier = "llamaindex";
  const { SentenceSplitter } = (await import(specifier)) as {
    SentenceSplitter: new (options: { chunkSize: number; chunkOverlap: number; tokenizer: unknown }) => { splitText(text: string): string[] };
  };
  send({ kind: "ready", importMs: performance.now() - started });
  const tokenizer = {
    encode: (text: string) => new Uint32Array(cl100k.encode(text, PLAIN)),
    decode: (tokens: Uint32Array) => cl100k.decode([...tokens]),
  };
  const splitter = new SentenceSplitter({
    chunkSize: request.chunkSize,
    chunkOverlap: request.chunkOverlap,
    tokenizer: tokenizer as never,
  });
  const corpus = makeCorpus(request.shape, Math.max(...request.prefixes));
  for (const chars of request.prefixes) {
    const text = corpus.slice(0, chars);
    const t0 = performance.now();
    const chunks = splitter.splitText(text).length;
    send({ kind: "done", chars, ms: performance.now() - t0, chunks });
  }
  process.disconnect();
});

function send(message: ChildMessage): void {
  process.send?.(message);
}
