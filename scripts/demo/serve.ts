/** Demo step: one question through `/openai/v1` with the official `openai` SDK, as an application would ask it. */
import OpenAI from "openai";
import { bold, dim, emulated, note } from "../lib/ui.ts";

/**
 * Asks the tenant's current model a question through `/openai/v1/chat/completions` (the SDK
 * changed only in baseURL and apiKey) and prints which model answered and as what
 * (`Distillery-Model`, `Distillery-Served-By`): the teacher until a student is promoted.
 */
export async function serveQuestion(baseUrl: string, key: string): Promise<{ model: string | null; servedBy: string | null }> {
  const client = new OpenAI({ baseURL: `${baseUrl}/openai/v1`, apiKey: key, maxRetries: 0 });
  const question = "Context: Knowledge distillation trains a small student model on a large teacher's outputs.\nQuestion: What does a student model learn from?";
  const { data, response } = await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] }).withResponse();
  const model = response.headers.get("Distillery-Model");
  const servedBy = response.headers.get("Distillery-Served-By");
  note(`asked ${bold("distillery:active")} with the openai SDK at ${baseUrl}/openai/v1`);
  note(emulated(`${bold(model ?? "?")} (${servedBy}) answered: ${data.choices[0]?.message.content ?? ""}`));
  note(dim(`${data.usage?.total_tokens ?? 0} tokens, recorded in /api/usage; request id ${response.headers.get("X-Request-Id")}`));
  return { model, servedBy };
}
