import { createExecutionContext } from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/llm";
import worker from "../../src/worker";
import { api, bindings, createTenant } from "../helpers/api";
import { registerFineTune } from "./helpers";

/** The official SDK, changed only in baseURL, apiKey and a fetch into the Worker. */
function sdk(key: string) {
  return new OpenAI({
    apiKey: key,
    baseURL: "https://distillery.test/openai/v1",
    maxRetries: 0,
    fetch: async (input: string | URL | Request, init?: RequestInit) =>
      worker.fetch(new Request(input, init) as Request<unknown, IncomingRequestCfProperties>, bindings, createExecutionContext()),
  });
}

const teacher = () => loadCatalog(bindings).defaults.teacher;

describe("GET /openai/v1/models", () => {
  it("lists the aliases, the tenant's servable fine-tunes and the catalog's chat models, not another tenant's nor an undeployed one", async () => {
    const [t, other] = await Promise.all([createTenant(), createTenant()]);
    const mine = await registerFineTune(t.id);
    const undeployed = await registerFineTune(t.id, { servable: false });
    const theirs = await registerFineTune(other.id);
    await api("/api/models/active", { method: "POST", key: t.key, json: { model: mine } });

    const ids: string[] = [];
    for await (const m of sdk(t.key).models.list()) ids.push(m.id);
    expect(ids.slice(0, 3)).toEqual(["distillery:active", "distillery:teacher", mine]);
    expect(ids).toContain(teacher());
    expect(ids).not.toContain(undeployed);
    expect(ids).not.toContain(theirs);
    expect(ids.some((id) => loadCatalog(bindings).byId.get(id)?.kind === "embedding")).toBe(false);

    const list = (await api("/openai/v1/models", { key: t.key })).body;
    expect(list.object).toBe("list");
    expect(list.data[0]).toMatchObject({ id: "distillery:active", object: "model", owned_by: "distillery", alias_for: mine, active_version: 1 });
    expect(list.data[1]).toMatchObject({ id: "distillery:teacher", alias_for: teacher() });
    expect(list.data[2]).toMatchObject({ id: mine, object: "model", owned_by: "tenant", created: expect.any(Number) });
  });
});

describe("GET /openai/v1/models/:id", () => {
  it("retrieves a fine-tune whose id holds slashes, an alias and a catalog model through the SDK", async () => {
    const t = await createTenant();
    const mine = await registerFineTune(t.id);
    const client = sdk(t.key);
    expect(await client.models.retrieve(mine)).toMatchObject({ id: mine, object: "model", owned_by: "tenant" });
    expect(await client.models.retrieve("distillery:active")).toMatchObject({ alias_for: teacher(), active_version: 0 });
    expect(await client.models.retrieve(teacher())).toMatchObject({ id: teacher(), object: "model" });
  });

  it("answers OpenAI's 404 model_not_found for an unknown model, another tenant's and an undeployed one", async () => {
    const [t, other] = await Promise.all([createTenant(), createTenant()]);
    const theirs = await registerFineTune(other.id);
    const undeployed = await registerFineTune(t.id, { servable: false });
    for (const id of ["no-such-model", theirs, undeployed]) {
      const res = await api(`/openai/v1/models/${encodeURIComponent(id)}`, { key: t.key });
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({
        error: { message: `The model '${id}' does not exist or you do not have access to it.`, type: "invalid_request_error", param: "model", code: "model_not_found" },
      });
    }
    await expect(sdk(t.key).models.retrieve("no-such-model")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
