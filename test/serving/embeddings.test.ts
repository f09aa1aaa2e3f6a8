import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { TEACHER, tenantClient } from "./helpers";

describe("/openai/v1/embeddings through the openai SDK", () => {
  it("embeds with the configured embedding model and records its usage", async () => {
    const t = await createTenant();
    const { client, settled } = tenantClient(t.key);
    const { data, response } = await client.embeddings.create({ model: "text-embedding-3-small", input: ["Abbey Road", "Let It Be"] }).withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data[0]!.embedding).toHaveLength(1536);
    expect(response.headers.get("Distillery-Model")).toBe("text-embedding-3-small");
    await settled();
    const usage = await api("/api/usage", { key: t.key });
    expect(usage.body.data).toMatchObject([{ model: "text-embedding-3-small", kind: "embedding" }]);
  });

  it("refuses a chat model, an unknown model and an empty input", async () => {
    const t = await createTenant();
    const chat = await api("/openai/v1/embeddings", { method: "POST", key: t.key, json: { model: TEACHER, input: "x" } });
    expect(chat.status).toBe(400);
    const unknown = await api("/openai/v1/embeddings", { method: "POST", key: t.key, json: { model: "nope", input: "x" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("model_not_found");
    const empty = await api("/openai/v1/embeddings", { method: "POST", key: t.key, json: { input: [] } });
    expect(empty.status).toBe(400);
  });
});
