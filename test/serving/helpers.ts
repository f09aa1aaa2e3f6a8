import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import OpenAI from "openai";
import { activeModelKey } from "../../src/programs/models";
import { forgetPointer, type ActivePointer } from "../../src/serving/pointer";
import worker from "../../src/worker";
import { expect } from "vitest";
import { api, bindings } from "../helpers/api";
import { capture } from "../helpers/secrets";
import { flushAllUsage } from "../helpers/usage";

/** A student the emulator serves (a base student: it spoils some answers) that no retirement date touches. */
export const STUDENT = "accounts/fireworks/models/llama-v3p1-8b-instruct";
export const TEACHER = "gpt-6.1-sol";

/**
 * The official SDK, changed only in baseURL, apiKey and a `fetch` that hands the request to the
 * Worker's own fetch handler with an execution context `settled()` waits on, so usage and
 * captures written after the answer (and usage queued) are in place when a test looks.
 */
export function tenantClient(key: string, headers: Record<string, string> = {}) {
  const contexts: ExecutionContext[] = [];
  const client = new OpenAI({
    apiKey: key,
    baseURL: "https://distillery.test/openai/v1",
    maxRetries: 0,
    defaultHeaders: headers,
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const ctx = createExecutionContext();
      contexts.push(ctx);
      const res = await worker.fetch(new Request(input, init) as Request<unknown, IncomingRequestCfProperties>, bindings, ctx);
      if (!(res.headers.get("Content-Type") ?? "").includes("event-stream")) {
        const text = await res.clone().text();
        capture("response /openai/v1", text);
      }
      return res;
    },
  });
  // The work after each answer (usage batches, captures) is done: what it sent is still on the queue.
  const finished = async () => {
    await Promise.all(contexts.map((c) => waitOnExecutionContext(c)));
  };
  // Usage leaves through the usage queue: settled also delivers what was sent, as the platform would.
  const settled = async () => {
    await finished();
    await flushAllUsage();
  };
  return { client, settled, finished };
}

/** Points the tenant at a model the way promotion will: the KV copy of the pointer. */
export async function setPointer(tenantId: string, model: string, extra: Partial<ActivePointer> = {}): Promise<void> {
  const pointer: ActivePointer = { version: 1, model, provider: "fireworks", base_url: null, served_as: "student", eval_id: null, updated_at: new Date().toISOString(), ...extra };
  await bindings.MODELS.put(activeModelKey(tenantId), JSON.stringify(pointer));
  // As the isolate that changed it: the pointer is cached per isolate (src/serving/pointer.ts).
  forgetPointer(tenantId, pointer);
}

export const ALBUM_SCHEMA = {
  type: "object",
  properties: { title: { type: "string" }, year: { type: "integer" } },
  required: ["title", "year"],
  additionalProperties: false,
};

export const CONTEXT =
  "Context: The Beatles released the album Abbey Road in 1969. It was recorded at EMI Studios in London.";

/**
 * An application's call with the official SDK (changed only in baseURL and apiKey) to the tenant's
 * active model: answered by `student` as the student, and its usage recorded.
 */
export async function expectServedByStudent(key: string, student: string, question: string): Promise<void> {
  const { client, settled } = tenantClient(key);
  const { data, response } = await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] }).withResponse();
  expect(data.choices[0]!.message).toBeTruthy();
  expect(response.headers.get("Distillery-Model")).toBe(student);
  expect(response.headers.get("Distillery-Served-By")).toBe("student");
  await settled();
  const usage = await api("/api/usage", { key });
  expect(usage.body.data.map((r: { model: string }) => r.model)).toContain(student);
}
