import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { BadRequestError, NotFoundError } from "openai";
import { describe, expect, it } from "vitest";
import { emulatorClient } from "../helpers/emulator";
import { ALBUM_CONTEXT, ALBUM_SCHEMA, CITATION_CONTEXT, CITATIONS_SCHEMA, CITED_AUTHORS, QUESTIONS_SCHEMA, matchesSchema } from "./fixtures";

const MODEL = "gpt-4o-mini-2024-07-18";
/** Answering faithfully from the context is the teacher's profile; a student spoils some answers (emulator README, "Model profiles"). */
const TEACHER = "gpt-6.1-sol";
const client = emulatorClient();

describe("emulator: chat completions", () => {
  it("answers plain chat extractively from the context, in OpenAI's shape", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "system", content: "You are a helpful assistant. Answer from the context." },
        { role: "user", content: `${CITATION_CONTEXT}\n\nWhat did Kaplan find about scaling laws and compute?` },
      ],
    });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe(MODEL);
    expect(res.system_fingerprint).toMatch(/^fp_/);
    const choice = res.choices[0]!;
    expect(choice).toMatchObject({ index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", refusal: null } });
    expect(choice.message.content).toContain("Kaplan et al. (2020)");
    expect(choice.message.content).toContain("power law");
  });

  it("is deterministic: the same request gets the same answer", async () => {
    const body = { model: TEACHER, messages: [{ role: "user" as const, content: `${ALBUM_CONTEXT}\nWhen was Abbey Road released?` }] };
    const [a, b] = await Promise.all([client.chat.completions.create(body), client.chat.completions.create(body)]);
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(a.choices[0]!.message.content).toContain("1969");
  });

  it("counts usage with the model's tokenizer", async () => {
    const system = "Answer briefly.";
    const user = `${ALBUM_CONTEXT}\nWho released Abbey Road?`;
    const res = await client.chat.completions.create({ model: MODEL, messages: [{ role: "system", content: system }, { role: "user", content: user }] });
    const content = res.choices[0]!.message.content!;
    const prompt = 3 + (3 + encode("system").length + encode(system).length) + (3 + encode("user").length + encode(user).length);
    expect(res.usage).toMatchObject({
      prompt_tokens: prompt,
      completion_tokens: encode(content).length,
      total_tokens: prompt + encode(content).length,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it("fills a forced tool's nested schema ($defs/$ref) from the context", async () => {
    const res = await client.chat.completions.create({
      model: TEACHER,
      messages: [{ role: "user", content: `Extract the album.\n\n${ALBUM_CONTEXT}` }],
      tools: [{ type: "function", function: { name: "Album", description: "An album and its songs", parameters: ALBUM_SCHEMA, strict: true } }],
      tool_choice: { type: "function", function: { name: "Album" } },
    });
    const choice = res.choices[0]!;
    // OpenAI ends a forced (named) tool call with "stop", not "tool_calls".
    expect(choice.finish_reason).toBe("stop");
    const call = choice.message.tool_calls![0]!;
    expect(call.id).toMatch(/^call_/);
    expect(call.type).toBe("function");
    if (call.type !== "function") throw new Error("expected a function call");
    const args = JSON.parse(call.function.arguments) as { name: string; artist: string; songs: Array<{ title: string; length_seconds: number }> };
    expect(matchesSchema(ALBUM_SCHEMA, args)).toBe(true);
    expect(args.name).toBe("Abbey Road");
    expect(args.artist).toBe("The Beatles");
    expect(args.songs).toContainEqual({ title: "Come Together", length_seconds: 260 });
    expect(args.songs.map((s) => s.title)).toEqual(["Come Together", "Something", "The End"]);
  });

  it("fills citations with authors and years found in the context", async () => {
    const res = await client.chat.completions.create({
      model: TEACHER,
      messages: [
        { role: "system", content: "Answer with citations from the context." },
        { role: "user", content: `Context:\n${CITATION_CONTEXT}\n\nQuestion: Which works discuss scaling and instruction tuning?` },
      ],
      tools: [{ type: "function", function: { name: "Response", parameters: CITATIONS_SCHEMA } }],
      tool_choice: { type: "function", function: { name: "Response" } },
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("expected a function call");
    const args = JSON.parse(call.function.arguments) as { citations: Array<{ author: string; year: number; desc: string }> };
    expect(matchesSchema(CITATIONS_SCHEMA, args)).toBe(true);
    for (const c of args.citations) {
      expect(CITED_AUTHORS).toContain(c.author);
      expect(CITATION_CONTEXT).toContain(String(c.year));
      expect(CITATION_CONTEXT).toContain(c.desc);
    }
    // Only the works whose sentences answer the question.
    expect(args.citations.map((c) => `${c.author} ${c.year}`)).toEqual(["Kaplan et al. 2020", "Wei et al. 2022", "Chung et al. 2022"]);
  });

  it("extracts every citation when the request has no separate question", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: `Extract the citations from this text.\n\n${CITATION_CONTEXT}` }],
      tools: [{ type: "function", function: { name: "Response", parameters: CITATIONS_SCHEMA } }],
      tool_choice: "required",
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("expected a function call");
    const args = JSON.parse(call.function.arguments) as { citations: Array<{ author: string; year: number }> };
    expect(args.citations.map((c) => c.author)).toEqual(CITED_AUTHORS);
    expect(args.citations[0]).toMatchObject({ author: "Touvron et al.", year: 2023 });
  });

  it("cites the labelled source a relevant sentence came from", async () => {
    const res = await client.chat.completions.create({
      model: TEACHER,
      messages: [
        {
          role: "user",
          content: "Context:\n[chunk-1] The Transformer relies on attention. It drops recurrence entirely.\n[chunk-2] BERT is pretrained with masked language modelling.\n\nQuestion: How is BERT pretrained?",
        },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "answer",
            parameters: {
              type: "object",
              properties: { answer: { type: "string" }, sources: { type: "array", items: { type: "object", properties: { chunk_id: { type: "string" }, quote: { type: "string" } }, required: ["chunk_id", "quote"] } } },
              required: ["answer", "sources"],
            },
          },
        },
      ],
      tool_choice: "required",
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("expected a function call");
    expect(JSON.parse(call.function.arguments)).toEqual({
      answer: "BERT is pretrained with masked language modelling.",
      sources: [{ chunk_id: "chunk-2", quote: "BERT is pretrained with masked language modelling." }],
    });
  });

  it("with tool_choice auto, calls the tool that best matches the question", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: `${ALBUM_CONTEXT}\n\nList the songs on the album with their length.` }],
      tools: [
        { type: "function", function: { name: "get_weather", description: "Weather forecast for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
        { type: "function", function: { name: "record_album", description: "Record an album and its songs", parameters: ALBUM_SCHEMA } },
      ],
    });
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("record_album");
    expect(matchesSchema(ALBUM_SCHEMA, JSON.parse(call.function.arguments))).toBe(true);
  });

  it("answers in prose after a tool result when tool_choice is auto", async () => {
    const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }];
    const res = await client.chat.completions.create({
      model: MODEL,
      tools,
      messages: [
        { role: "user", content: "When was Abbey Road released?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"Abbey Road"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: ALBUM_CONTEXT },
      ],
    });
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.choices[0]!.message.content).toContain("26 September 1969");
  });

  it("returns JSON content valid against a json_schema response_format", async () => {
    const res = await client.chat.completions.create({
      model: TEACHER,
      messages: [{ role: "user", content: `Write 3 questions about this text.\n\n${CITATION_CONTEXT}` }],
      response_format: { type: "json_schema", json_schema: { name: "Questions", schema: QUESTIONS_SCHEMA, strict: true } },
    });
    const value = JSON.parse(res.choices[0]!.message.content!) as { questions: string[] };
    expect(matchesSchema(QUESTIONS_SCHEMA, value)).toBe(true);
    expect(value.questions).toHaveLength(3);
    for (const q of value.questions) expect(q).toMatch(/\?$/);
  });

  it("rejects a strict json_schema that leaves additionalProperties open", async () => {
    const err = await client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: "user", content: "hi" }],
        response_format: { type: "json_schema", json_schema: { name: "Loose", strict: true, schema: { type: "object", properties: { a: { type: "string" } }, required: ["a"] } } },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toMatch(/additionalProperties/);
  });

  it("answers json_object with JSON that follows a schema given in the prompt", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      response_format: { type: "json_object" },
      messages: [
        { role: "system", content: `Reply in JSON with this schema: ${JSON.stringify(CITATIONS_SCHEMA)}` },
        { role: "user", content: CITATION_CONTEXT },
      ],
    });
    const value = JSON.parse(res.choices[0]!.message.content!) as unknown;
    expect(matchesSchema(CITATIONS_SCHEMA, value)).toBe(true);
  });

  it("requires the word json in the messages for json_object", async () => {
    const err = await client.chat.completions
      .create({ model: MODEL, response_format: { type: "json_object" }, messages: [{ role: "user", content: "hello" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).param).toBe("messages");
  });

  it("follows a JSON schema in the prompt for a model without response_format (text mode)", async () => {
    const res = await client.chat.completions.create({
      model: "meta-llama/Llama-3.2-3B-Instruct",
      messages: [
        {
          role: "user",
          content: `Generate 4 questions about the text. Answer only with JSON valid against this schema:\n\`\`\`json\n${JSON.stringify(QUESTIONS_SCHEMA, null, 2)}\n\`\`\`\n\nText:\n${CITATION_CONTEXT}`,
        },
      ],
    });
    const value = JSON.parse(res.choices[0]!.message.content!) as { questions: string[] };
    expect(matchesSchema(QUESTIONS_SCHEMA, value)).toBe(true);
    expect(value.questions).toHaveLength(4);
  });

  it("rejects tools for a model without tool support with a 400", async () => {
    const err = await client.chat.completions
      .create({
        model: "meta-llama/Llama-3.2-3B-Instruct",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toMatch(/does not support tools/);
    expect((err as BadRequestError).param).toBe("tools");
    expect((err as BadRequestError).type).toBe("invalid_request_error");
  });

  it("rejects response_format for a model without it with a 400", async () => {
    const err = await client.chat.completions
      .create({ model: "meta-llama/Llama-3.2-3B-Instruct", messages: [{ role: "user", content: "json please" }], response_format: { type: "json_object" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).param).toBe("response_format");
  });

  it("returns n choices with their indexes", async () => {
    const res = await client.chat.completions.create({ model: MODEL, n: 2, messages: [{ role: "user", content: `${CITATION_CONTEXT}\nWhat did Lewis et al. report about retrieval?` }] });
    expect(res.choices.map((c) => c.index)).toEqual([0, 1]);
    for (const c of res.choices) expect(c.message.content).toBeTruthy();
    const total = res.choices.reduce((n, c) => n + encode(c.message.content!).length, 0);
    expect(res.usage!.completion_tokens).toBe(total);
  });

  it("truncates at max_tokens with finish_reason length", async () => {
    const res = await client.chat.completions.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: `${CITATION_CONTEXT}\nWhat did Kaplan show?` }] });
    expect(res.choices[0]!.finish_reason).toBe("length");
    expect(res.usage!.completion_tokens).toBe(5);
    expect(encode(res.choices[0]!.message.content!).length).toBeLessThanOrEqual(5);
  });

  it("answers 404 model_not_found for an unknown model and 400 for a bad body", async () => {
    const missing = await client.chat.completions.create({ model: "gpt-nope", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe("model_not_found");
    const bad = await client.chat.completions.create({ model: MODEL, messages: [], temperature: 3 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
  });

  it("accepts content as an array of text parts and developer messages", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "developer", content: "Answer from the text." },
        { role: "user", content: [{ type: "text", text: ALBUM_CONTEXT }, { type: "text", text: "Which song opens Abbey Road?" }] },
      ],
      temperature: 0,
      seed: 7,
      user: "u-1",
      metadata: { purpose: "test" },
    });
    expect(res.choices[0]!.message.content).toContain("Come Together");
  });
});
