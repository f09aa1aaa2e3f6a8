import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { callProvider, clientForModel, countChatTokens, loadCatalog } from "../../src/llm";

it("reaches the local OpenAI-compatible service through LOCAL_OPENAI when no provider is configured", async () => {
  const bindings = env as Bindings;
  expect(bindings.OPENAI_API_KEY).toBeUndefined();
  const teacher = loadCatalog(bindings).defaults.teacher;
  const { client, model } = clientForModel(bindings, teacher, { requestId: "req_llm_local_1" });
  const messages = [
    { role: "system" as const, content: "Answer from the context." },
    { role: "user" as const, content: "Context: Abbey Road was released in 1969.\nWhen was Abbey Road released?" },
  ];

  const { data, response } = await callProvider(model.provider, () =>
    client.chat.completions.create({ model: model.model, messages }).withResponse(),
  );

  expect(response.headers.get("x-request-id")).toBe("req_llm_local_1");
  expect(data.model).toBe("gpt-6.1-sol");
  expect(data.choices[0]?.message.content).toContain("1969");
  // The service counts prompt tokens by OpenAI's accounting, as countChatTokens does.
  expect(data.usage?.prompt_tokens).toBe((await countChatTokens(messages, undefined, model.encoding)).tokens);
});
