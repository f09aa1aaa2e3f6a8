/** Demo step: the Responses API (`/openai/v1/responses`) with the official `openai` SDK, as a structured-output application calls it. */
import OpenAI from "openai";
import { bold, dim, emulated, note } from "../lib/ui.ts";

const CONTEXT = "Context: Knowledge distillation trains a small student model on a large teacher's outputs; it was described by Hinton, Vinyals and Dean in 2015.";

const PAPER_SCHEMA = {
  type: "object",
  properties: { authors: { type: "array", items: { type: "string" } }, year: { type: "integer" } },
  required: ["authors", "year"],
  additionalProperties: false,
};

/**
 * Asks the tenant's current model through `client.responses.create`: once with a json_schema
 * `text.format`, once streamed (counting `response.output_text.delta` events), and prints which
 * model answered (`Distillery-Model`, `Distillery-Served-By`).
 */
export async function askThroughResponses(baseUrl: string, key: string): Promise<{ model: string | null; events: number }> {
  const client = new OpenAI({ baseURL: `${baseUrl}/openai/v1`, apiKey: key, maxRetries: 0 });
  const { data, response } = await client.responses
    .create({
      model: "distillery:active",
      input: `${CONTEXT}\nQuestion: Who described knowledge distillation, and when?`,
      text: { format: { type: "json_schema", name: "paper", schema: PAPER_SCHEMA, strict: true } },
    })
    .withResponse();
  const model = response.headers.get("Distillery-Model");
  note(`responses.create with a json_schema format at ${baseUrl}/openai/v1/responses`);
  note(emulated(`${bold(model ?? "?")} (${response.headers.get("Distillery-Served-By")}) answered ${data.status}: ${data.output_text}`));

  const stream = await client.responses.create({ model: "distillery:active", input: `${CONTEXT}\nQuestion: What does a student learn from?`, stream: true });
  let events = 0;
  let deltas = 0;
  let text = "";
  for await (const event of stream) {
    events++;
    if (event.type === "response.output_text.delta") {
      deltas++;
      text += event.delta;
    }
  }
  note(emulated(`streamed: ${events} events, ${deltas} text deltas: ${text}`));
  note(dim(`usage of both is in /api/usage; nothing is stored (previous_response_id is a 400: send the conversation as input)`));
  return { model, events };
}
