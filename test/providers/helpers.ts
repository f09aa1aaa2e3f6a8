import { expect } from "vitest";
import { ApiError } from "../../src/errors";
import type { FetchLike } from "../../src/llm";
import { type FineTuneProviderId, type FineTuneProviderOptions, fineTuneProviderFor, type UploadInput } from "../../src/providers";
import { callEmulator, configureRun, uniqueRun } from "../helpers/emulator";
import { testEnv } from "../llm/helpers";

export { testEnv };

/** The env tests use: no provider keys, so every provider resolves to the emulator (LOCAL_OPENAI). */
export const emulatorEnv = () => testEnv();

/** `count` valid chat examples as JSONL. */
export function examplesJsonl(count = 10, tag = "x"): Uint8Array {
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "system", content: "You answer questions about the text." },
        { role: "user", content: `What is fact number ${i} (${tag})?` },
        { role: "assistant", content: `Fact ${i} is that the sky is blue on day ${i}.` },
      ],
    }),
  );
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

/** An upload of these bytes, opened as a stream handing out `chunk`-byte pieces. */
export function uploadOf(bytes: Uint8Array, key: string, filename = "train.jsonl", chunk = 64 * 1024): UploadInput & { opened: () => number } {
  let opened = 0;
  return {
    key,
    filename,
    bytes: bytes.byteLength,
    opened: () => opened,
    async open() {
      opened++;
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.byteLength) return controller.close();
          controller.enqueue(bytes.slice(offset, offset + chunk));
          offset += chunk;
        },
      });
    },
  };
}

/**
 * An upload of `size` bytes of JSONL made up as it is read (1,000-byte lines), never held whole:
 * only a stream can deliver it.
 */
export function generatedUpload(size: number, key: string, filename = "big.jsonl"): UploadInput {
  const encoder = new TextEncoder();
  const make = (i: number, pad: string) =>
    `${JSON.stringify({ messages: [{ role: "user", content: `line ${i}` }, { role: "assistant", content: pad }] })}\n`;
  const line = (i: number) => encoder.encode(make(i, "y".repeat(1000 - make(i, "").length)));
  return {
    key,
    filename,
    bytes: size,
    async open() {
      let sent = 0;
      let i = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= size) return controller.close();
          const batch: Uint8Array[] = [];
          let n = 0;
          while (n < 64 * 1024 && sent + n < size) {
            const bytes = line(i++);
            const take = bytes.subarray(0, Math.min(bytes.byteLength, size - sent - n));
            batch.push(take);
            n += take.byteLength;
          }
          const out = new Uint8Array(n);
          let at = 0;
          for (const b of batch) {
            out.set(b, at);
            at += b.byteLength;
          }
          sent += n;
          controller.enqueue(out);
        },
      });
    },
  };
}

/** SHA-256 hex of a stream, read as it comes. */
export async function streamSha256(stream: ReadableStream<Uint8Array>): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  await stream.pipeTo(digest);
  return [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The emulator's stored copy of an OpenAI-side file: its size and hash. */
export async function emulatorFile(id: string, prefix = "/v1"): Promise<{ bytes: number; sha256: string }> {
  const res = await callEmulator(`${prefix}/files/${id}/content`, { headers: { authorization: "Bearer sk-test" } });
  if (!res.ok || !res.body) throw new Error(`file content: ${res.status} ${await res.text()}`);
  let bytes = 0;
  const counted = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
  const sha256 = await streamSha256(counted);
  return { bytes, sha256 };
}

export interface RecordedCall {
  method: string;
  url: string;
  /** Whether the body went out as a stream (not a buffer, Blob or FormData). */
  streamed: boolean;
  contentType: string | null;
  authorization: string | null;
}

/** A wrapFetch that records each call the provider makes. */
export function recorder() {
  const calls: RecordedCall[] = [];
  const wrapFetch = (fetch: FetchLike): FetchLike => (input, init) => {
    const headers = new Headers(init?.headers as HeadersInit | undefined);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : (input as Request).url;
    calls.push({
      method: init?.method ?? "GET",
      url,
      streamed: init?.body instanceof ReadableStream,
      contentType: headers.get("content-type"),
      authorization: headers.get("authorization"),
    });
    return fetch(input, init);
  };
  return { calls, wrapFetch };
}

/**
 * A provider pointed at the emulator, in a fresh run whose clock stands still (tests advance it)
 * and whose jobs validate and queue for 1 s each and train for `runningMs`.
 */
export async function providerInRun(
  name: FineTuneProviderId,
  runningMs: number,
  opts: Partial<FineTuneProviderOptions> = {},
  config: Parameters<typeof configureRun>[1] = {},
) {
  const run = uniqueRun(`ftp-${name}`);
  await configureRun(run, { clock: { speed: 0 }, fine_tuning: { durations_ms: { validating: 1_000, queued: 1_000, running: runningMs } }, ...config });
  const provider = fineTuneProviderFor(emulatorEnv(), name, { requestId: `${run}:test`, ...opts });
  return { run, provider };
}

/** The ApiError a promise rejects with (fails the test when it resolves or throws something else). */
export async function thrown(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}
