import { Hono } from "hono";
import { z } from "zod";
import { invalidRequest } from "../errors";
import { embed, toBase64 } from "../embeddings/vectors";
import type { AppEnv, Services } from "../services";
import { tokenizer } from "../tokens";
import { parseOrThrow, readJsonText } from "../validation";

const MAX_INPUTS = 2048;
const MAX_REQUEST_TOKENS = 300_000;

const embeddingsSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]),
  dimensions: z.number().int().min(1).optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
  user: z.string().optional(),
});

/** POST /v1/embeddings. */
export function embeddingRoutes(services: Services) {
  return new Hono<AppEnv>().post("/embeddings", async (c) => {
    const req = parseOrThrow(embeddingsSchema, readJsonText(await c.req.text()));
    const model = services.resolveModel(req.model);
    if (model.kind !== "embedding" || !model.embedding_dimensions) {
      throw invalidRequest(`The model \`${model.id}\` does not support embeddings.`, "model", "invalid_model");
    }
    const tok = tokenizer(model.encoding);
    // A token id outside the encoding's vocabulary is the caller's error (a 400), not the server's.
    const decode = (ids: number[]): string => {
      try {
        return tok.decode(ids);
      } catch {
        throw invalidRequest("Invalid token ids in 'input': not in the model's vocabulary.", "input");
      }
    };
    // A flat number array is one tokenised input; an array of arrays is several.
    const inputs: Array<{ text: string; tokens: number }> = [];
    const raw = req.input;
    if (typeof raw === "string") inputs.push({ text: raw, tokens: tok.count(raw) });
    else if (raw.length > 0 && typeof raw[0] === "number") inputs.push({ text: decode(raw as number[]), tokens: raw.length });
    else for (const item of raw as Array<string | number[]>) inputs.push(typeof item === "string" ? { text: item, tokens: tok.count(item) } : { text: decode(item), tokens: item.length });

    if (inputs.length === 0 || inputs.some((i) => i.text === "" && i.tokens === 0)) {
      throw invalidRequest("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "input");
    }
    if (inputs.length > MAX_INPUTS) throw invalidRequest(`Invalid 'input': array too long. Expected an array with maximum length ${MAX_INPUTS}, but got an array with length ${inputs.length} instead.`, "input", "array_above_max_length");
    const long = inputs.find((i) => i.tokens > model.context_window);
    if (long) {
      throw invalidRequest(`This model's maximum context length is ${model.context_window} tokens, however you requested ${long.tokens} tokens (${long.tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`, "input");
    }
    const total = inputs.reduce((s, i) => s + i.tokens, 0);
    if (total > MAX_REQUEST_TOKENS) throw invalidRequest(`Requested ${total} tokens, max ${MAX_REQUEST_TOKENS} tokens per request`, "input", "max_tokens_per_request");
    let dims = model.embedding_dimensions;
    if (req.dimensions !== undefined) {
      if (!model.variable_dimensions) throw invalidRequest("This model does not support specifying dimensions.", "dimensions");
      if (req.dimensions > model.embedding_dimensions) throw invalidRequest(`Invalid value for 'dimensions' = ${req.dimensions}. Must be less than or equal to ${model.embedding_dimensions}.`, "dimensions", "invalid_value");
      dims = req.dimensions;
    }
    const run = c.get("run");
    const admission = services.limiter.admit(run.name, run.config, model.id, total);
    services.limiter.settle(admission, total);
    services.runs.bump(run.name, "tokens", "prompt", total);
    services.runs.bump(run.name, "tokens", "total", total);
    for (const [k, v] of Object.entries(services.limiter.headers(run.name, run.config))) c.header(k, v);
    const base64 = req.encoding_format === "base64";
    return c.json({
      object: "list",
      data: inputs.map((input, index) => {
        const vector = embed(input.text, dims);
        return { object: "embedding", index, embedding: base64 ? toBase64(vector) : Array.from(vector) };
      }),
      model: model.id,
      usage: { prompt_tokens: total, total_tokens: total },
    });
  });
}
