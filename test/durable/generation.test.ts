import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { failedOutcome } from "../../src/durable/tenant/generation";
import { leasesHeld } from "../../src/durable/tenant/leases";
import { nowMs } from "../../src/lib/clock";
import { api, bindings } from "../helpers/api";
import { generatedDataset } from "../helpers/datasets";

const lease = { max: 1, ttlMs: 60_000 };
const held = (tenantId: string) =>
  runInDurableObject(bindings.TENANT.get(bindings.TENANT.idFromName(tenantId)), (_o, state) => leasesHeld(state.storage.sql, "label", nowMs()));

describe("the generation surface's steps", () => {
  it("begins a step with all it needs, makes the next wait for a free lease, and frees the lease when the step finishes", async () => {
    const { t, labels } = await generatedDataset({ questions_per_chunk: 2 });
    using tenant = openTenant(bindings, t.id);
    const [a, b] = [{ holder: "m-a", message: labels[0]! }, { holder: "m-b", message: labels[1]! }];

    const [first, second] = await tenant.generation.begin([a, b], lease);
    expect(first).toMatchObject({ state: "label", question: expect.any(String), program: { name: "citations", version: 1 }, config: { top_k: 2 } });
    expect(second).toEqual({ state: "busy" });
    expect(await held(t.id)).toBe(1);
    expect(await tenant.generation.begin([b], lease)).toEqual([{ state: "busy" }]);

    await tenant.generation.finishLabel(a, failedOutcome("test"), []);
    expect(await held(t.id)).toBe(0);
    expect((await tenant.generation.begin([b], lease))[0]).toMatchObject({ state: "label" });
  });

  it("answers done, holding no lease, for a question already answered (a redelivery), and the last one tells its caller to write the files", async () => {
    const { t, base, labels } = await generatedDataset({ questions_per_chunk: 1 });
    expect(labels).toHaveLength(1);
    using tenant = openTenant(bindings, t.id);
    const step = { holder: "m-1", message: labels[0]! };
    expect((await tenant.generation.begin([step], lease))[0]).toMatchObject({ state: "label" });
    // The first delivery finishes it: the dataset's last question, so that caller writes the files.
    expect(await tenant.generation.finishLabel(step, failedOutcome("answered elsewhere"), [])).toEqual({ finalize: true });
    // A second delivery of the same message: nothing to do, no lease taken, no second claim on the files.
    expect(await tenant.generation.begin([{ holder: "m-2", message: labels[0]! }], lease)).toEqual([{ state: "done", finalize: false }]);
    expect(await held(t.id)).toBe(0);
    expect((await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body.status).toBe("writing");
  });
});
