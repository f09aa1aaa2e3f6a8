import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { loadCatalog } from "../../src/llm";
import { modelForTenant } from "../../src/programs/models";
import { api, bindings, createTenant } from "../helpers/api";
import { registerFineTune } from "../models/helpers";

describe("the model a program run or query uses when none is named", () => {
  it("is the tenant's active deployed fine-tune, called by its deployment's name (not a 400 for a non-catalog id)", async () => {
    const t = await createTenant();
    const student = await registerFineTune(t.id, { servable: false });
    using tenant = openTenant(bindings, t.id);
    await tenant.deployments.serve(student, { deployment_id: "dep_test", base_url: null, inference_model: "proj/endpoint/student" });
    expect((await api("/api/models/active", { method: "POST", key: t.key, json: { model: student } })).status).toBe(200);

    const entry = await modelForTenant(bindings, tenant, undefined);
    expect(entry).toMatchObject({ id: student, provider: "together", model: "proj/endpoint/student" });
  });

  it("is the teacher when nothing was promoted, and the named model when one is", async () => {
    const t = await createTenant();
    using tenant = openTenant(bindings, t.id);
    expect((await modelForTenant(bindings, tenant, undefined)).id).toBe(loadCatalog(bindings).defaults.teacher);
    expect((await modelForTenant(bindings, tenant, "meta-llama/Llama-3.2-3B-Instruct")).id).toBe("meta-llama/Llama-3.2-3B-Instruct");
  });
});
