import { describe, expect, it } from "vitest";
import { finalizeDataset } from "../../src/datasets/finalize";
import { openTenant } from "../../src/durable/tenant";
import type { Bindings } from "../../src/env";
import { api, bindings, createTenant } from "../helpers/api";
import { watchConsole } from "../helpers/secrets";

describe("a dataset whose files cannot be written", () => {
  it("fails its snapshot with what failed and the request id its cause is logged under", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "r2-down" } })).body;
    const broken = new Error("R2 is down");
    const down = {
      ...bindings,
      DATA: {
        put: () => Promise.reject(broken),
        createMultipartUpload: () => Promise.reject(broken),
      } as unknown as R2Bucket,
    } as Bindings;
    const log = watchConsole();
    using tenant = openTenant(bindings, t.id);
    await finalizeDataset(down, tenant, ds.id, "req-finalize");

    // The freeze's snapshot failed; its source stays open for a retry.
    expect((await api(`/api/datasets/${ds.id}`, { key: t.key })).body.status).toBe("open");
    const after = (await api(`/api/datasets/${ds.id}/snapshots`, { key: t.key })).body.data[0];
    expect(after.status).toBe("failed");
    expect(after.error).toContain("Could not write the dataset's JSONL files: Failed on our side (Error)");
    expect(after.error).toContain("req-finalize");
    expect(after.error).not.toContain("R2 is down"); // internals stay in the log
    const line = log().find((l) => l.text.includes('"dataset files not written"'));
    expect(line?.text).toContain('"cause":"Error: R2 is down"');
    expect(line?.text).toContain('"request_id":"req-finalize"');
  });
});
