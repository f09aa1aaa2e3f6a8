import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { EMULATOR_ORIGIN, advanceClock, emulatorFetch } from "../helpers/emulator";
import { bodyOf, FW_BASE, fireworksRun, type GoogleError, trainedLoras } from "../deployments/fireworks-helpers";

interface Deployment {
  name: string;
  state: string;
  status: { code: string; message: string };
  baseModel: string;
  enableAddons: boolean;
  replicaCount: number;
}
interface DeployedModel {
  name: string;
  model: string;
  deployment: string;
  state: string;
}

const SHARED = { baseModel: FW_BASE, enableAddons: true, minReplicaCount: 1, maxReplicaCount: 1, acceleratorType: "NVIDIA_A100_80GB", acceleratorCount: 1 };

function inference(run: string) {
  return new OpenAI({ apiKey: "fw-test", baseURL: `${EMULATOR_ORIGIN}/fireworks/inference/v1`, fetch: emulatorFetch, maxRetries: 0, defaultHeaders: { "X-Emulator-Run": run } });
}

const ask = { messages: [{ role: "user" as const, content: "Context: The Rhine flows through Basel. Question: Which city does the Rhine flow through?" }] };

describe("emulator: Fireworks deployments", () => {
  it("provisions on the run's clock (CREATING → READY), refuses a second create under the same id, and soft-deletes", async () => {
    const { run, account, call } = await fireworksRun();
    const created = await bodyOf<Deployment>(await call("POST", "/deployments?deploymentId=shared-1", SHARED));
    expect(created).toMatchObject({ name: `accounts/${account}/deployments/shared-1`, state: "CREATING", baseModel: FW_BASE, enableAddons: true, replicaCount: 0 });
    const dup = await bodyOf<GoogleError>(await call("POST", "/deployments?deploymentId=shared-1", SHARED), 409);
    expect(dup.error.status).toBe("ALREADY_EXISTS");

    await advanceClock(run, 59_000);
    expect((await bodyOf<Deployment>(await call("GET", "/deployments/shared-1"))).state).toBe("CREATING");
    await advanceClock(run, 1_000);
    expect(await bodyOf<Deployment>(await call("GET", "/deployments/shared-1"))).toMatchObject({ state: "READY", replicaCount: 1 });

    expect(await bodyOf(await call("DELETE", "/deployments/shared-1"))).toEqual({});
    expect((await bodyOf<Deployment>(await call("GET", "/deployments/shared-1"))).state).toBe("DELETING");
    await advanceClock(run, 30_000);
    expect((await bodyOf<Deployment>(await call("GET", "/deployments/shared-1"))).state).toBe("DELETED");
    expect((await bodyOf<{ deployments: Deployment[] }>(await call("GET", "/deployments"))).deployments).toEqual([]);
  });

  it("fails a deployment halfway through provisioning when the run asks for it", async () => {
    const { run, call } = await fireworksRun({ deployments: { provisioning_ms: 60_000, fail: "No NVIDIA_A100_80GB capacity in the region." } });
    await bodyOf(await call("POST", "/deployments?deploymentId=doomed", SHARED));
    await advanceClock(run, 30_000);
    expect(await bodyOf<Deployment>(await call("GET", "/deployments/doomed"))).toMatchObject({
      state: "FAILED",
      status: { code: "INTERNAL", message: "No NVIDIA_A100_80GB capacity in the region." },
    });
  });
});

describe("emulator: Fireworks deployed models (LoRA addons)", () => {
  it("loads two LoRAs on one base deployment; each answers as its trained student, and unloading one leaves the other serving", async () => {
    const ctx = await fireworksRun();
    const [a = "", b = ""] = await trainedLoras(ctx, ["student-a", "student-b"]);
    await bodyOf(await ctx.call("POST", "/deployments?deploymentId=shared", SHARED));
    const base = `accounts/${ctx.account}/deployments/shared`;
    // Not READY yet: refused.
    expect((await bodyOf<GoogleError>(await ctx.call("POST", "/deployedModels", { model: a, deployment: base }), 400)).error.status).toBe("FAILED_PRECONDITION");
    await advanceClock(ctx.run, 60_000);

    const da = await bodyOf<DeployedModel>(await ctx.call("POST", "/deployedModels", { model: a, deployment: base, displayName: "dep-a" }));
    const db = await bodyOf<DeployedModel>(await ctx.call("POST", "/deployedModels", { model: b, deployment: base }));
    expect(da).toMatchObject({ model: a, deployment: base, state: "DEPLOYING" });
    expect(da.name).toMatch(new RegExp(`^accounts/${ctx.account}/deployedModels/student-a-[0-9a-f]{8}$`));
    expect((await bodyOf<GoogleError>(await ctx.call("POST", "/deployedModels", { model: a, deployment: base }), 409)).error.status).toBe("ALREADY_EXISTS");
    // Not served while DEPLOYING.
    const early = await inference(ctx.run).chat.completions.create({ model: `${a}#${base}`, ...ask }).catch((e: unknown) => e);
    expect(early).toMatchObject({ status: 404 });
    await advanceClock(ctx.run, 10_000);

    const listed = await bodyOf<{ deployedModels: DeployedModel[] }>(await ctx.call("GET", `/deployedModels?filter=${encodeURIComponent(`model="${b}" AND deployment="${base}"`)}`));
    expect(listed.deployedModels.map((m) => m.name)).toEqual([db.name]);
    expect(listed.deployedModels[0]?.state).toBe("DEPLOYED");
    for (const model of [`${a}#${base}`, `${b}#${base}`, a]) {
      const answer = await inference(ctx.run).chat.completions.create({ model, ...ask });
      expect(answer.model).toBe(model);
      expect(answer.choices[0]?.message.content).toBeTruthy();
    }

    // A base with models on it is not deleted without ignoreChecks.
    expect((await bodyOf<GoogleError>(await ctx.call("DELETE", "/deployments/shared"), 400)).error.status).toBe("FAILED_PRECONDITION");
    const id = da.name.split("/").pop();
    expect(await bodyOf(await ctx.call("DELETE", `/deployedModels/${id}`))).toEqual({});
    expect((await bodyOf<DeployedModel>(await ctx.call("GET", `/deployedModels/${id}`))).state).toBe("UNDEPLOYING");
    await advanceClock(ctx.run, 10_000);
    expect((await bodyOf<GoogleError>(await ctx.call("GET", `/deployedModels/${id}`), 404)).error.status).toBe("NOT_FOUND");
    expect(await inference(ctx.run).chat.completions.create({ model: `${a}#${base}`, ...ask }).catch((e: unknown) => e)).toMatchObject({ status: 404 });
    expect((await inference(ctx.run).chat.completions.create({ model: `${b}#${base}`, ...ask })).model).toBe(`${b}#${base}`);
  });

  it("answers as the trained student: a LoRA trained on 1,000 rows spoils fewer answers than its base", async () => {
    const ctx = await fireworksRun();
    const [lora = ""] = await trainedLoras(ctx, ["well-trained"], 1000);
    await bodyOf(await ctx.call("POST", "/deployments?deploymentId=merged", { baseModel: lora, minReplicaCount: 1 }));
    await advanceClock(ctx.run, 60_000);
    const client = inference(ctx.run);
    const schema = { type: "object", properties: { city: { type: "string" }, river: { type: "string" } }, required: ["city", "river"], additionalProperties: false };
    let baseBroken = 0;
    let loraBroken = 0;
    for (let i = 0; i < 16; i++) {
      const req = { messages: [{ role: "user" as const, content: `Context: The Rhine flows through Basel in year ${i}. Question: Which city and river? Answer in json.` }], response_format: { type: "json_schema" as const, json_schema: { name: "a", strict: true, schema } } };
      const valid = (text: string | null | undefined) => {
        try {
          const v = JSON.parse(text ?? "") as Record<string, unknown>;
          return typeof v.city === "string" && typeof v.river === "string" && Object.keys(v).length === 2 && String(v.city).includes("Basel");
        } catch {
          return false;
        }
      };
      if (!valid((await client.chat.completions.create({ model: FW_BASE, ...req })).choices[0]?.message.content)) baseBroken++;
      if (!valid((await client.chat.completions.create({ model: `${lora}#accounts/${ctx.account}/deployments/merged`, ...req })).choices[0]?.message.content)) loraBroken++;
    }
    expect(baseBroken).toBeGreaterThan(loraBroken);
  });

  it("refuses an addon beyond the run's limit with a FAILED_PRECONDITION naming the maximum", async () => {
    const ctx = await fireworksRun({ deployments: { provisioning_ms: 1_000, addon_load_ms: 1_000, addon_limit: 1 } });
    const [a = "", b = ""] = await trainedLoras(ctx, ["lim-a", "lim-b"]);
    await bodyOf(await ctx.call("POST", "/deployments?deploymentId=small", SHARED));
    await advanceClock(ctx.run, 1_000);
    const base = `accounts/${ctx.account}/deployments/small`;
    await bodyOf(await ctx.call("POST", "/deployedModels", { model: a, deployment: base }));
    const refused = await bodyOf<GoogleError>(await ctx.call("POST", "/deployedModels", { model: b, deployment: base }), 400);
    expect(refused.error).toEqual({ code: 400, status: "FAILED_PRECONDITION", message: expect.stringContaining("maximum of 1 LoRA addons") });
  });
});
