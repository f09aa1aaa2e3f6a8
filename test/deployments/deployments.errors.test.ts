import { describe, expect, it } from "vitest";
import { TogetherDeploymentProvider } from "../../src/deployments/together";
import { openTenant } from "../../src/durable/tenant";
import { ApiError } from "../../src/errors";
import { api, bindings, createTenant } from "../helpers/api";
import { uniqueRun } from "../helpers/emulator";
import { deploy, deployRun, emulatorDeployments, togetherStudent } from "../helpers/deployments";

const errorOf = (res: { body: unknown }) => (res.body as { error: { code: string; message: string } }).error;

describe("deploy: bad input answers 4xx and creates nothing", () => {
  it("refuses another tenant's model (404), an OpenAI fine-tune (409), an unknown profile and replica bounds out of range (400)", async () => {
    const owner = await createTenant();
    const other = await createTenant();
    const run = uniqueRun("deploy-bad");
    await deployRun(run);
    const model = await togetherStudent(owner.key, run);

    const foreign = await deploy(other.key, run, model);
    expect(foreign.status).toBe(404);

    using tenant = openTenant(bindings, owner.id);
    await tenant.models.register({
      id: "ft:gpt-4.1-mini-2025-04-14:org:x:abc",
      provider: "openai",
      fine_tune_provider: "openai",
      base_model: "gpt-4.1-mini-2025-04-14",
      job_id: "ftj_x",
      servable: true,
      trained_tokens: null,
    });
    const openai = await deploy(owner.key, run, "ft:gpt-4.1-mini-2025-04-14:org:x:abc");
    expect(openai.status).toBe(409);
    expect(errorOf(openai).message).toContain("needs no deployment");

    const profile = await deploy(owner.key, run, model, { profile: "a100-x99" });
    expect(profile.status).toBe(400);
    expect(errorOf(profile).message).toContain('Profile "a100-x99" is not in the catalog');

    for (const body of [{ min_replicas: 0 }, { min_replicas: 9 }, { min_replicas: 2, max_replicas: 1 }, { max_replicas: 50 }, { idle_minutes: 10 }]) {
      const res = await deploy(owner.key, run, model, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe("validation_failed");
    }
    const unknownField = await deploy(owner.key, run, model, { gpus: 8 });
    expect(unknownField.status).toBe(400);

    expect((await api("/api/deployments", { key: owner.key })).body.data).toEqual([]);
    expect(await emulatorDeployments(run)).toHaveLength(0);
  });

  it("names the missing variable when Together has a key but no project", () => {
    let caught: unknown;
    try {
      new TogetherDeploymentProvider({ ...bindings, TOGETHER_API_KEY: "tk-test", TOGETHER_PROJECT_ID: undefined }, { requestId: "r" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(400);
    expect((caught as ApiError).message).toContain("TOGETHER_PROJECT_ID");
  });

  it("answers 404 for another tenant's deployment and for an unknown one", async () => {
    const owner = await createTenant();
    const other = await createTenant();
    const run = uniqueRun("deploy-404");
    await deployRun(run);
    const model = await togetherStudent(owner.key, run);
    const created = await deploy(owner.key, run, model);
    expect(created.status).toBe(201);
    expect((await api(`/api/deployments/${created.body.id}`, { key: other.key })).status).toBe(404);
    expect((await api(`/api/deployments/${created.body.id}/stop`, { method: "POST", key: other.key })).status).toBe(404);
    expect((await api(`/api/deployments/dep_nope`, { key: owner.key })).status).toBe(404);
  });
});
