import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { acquireLeases, leasesHeld, releaseLeases } from "../../src/durable/tenant/leases";
import { bindings } from "../helpers/api";

describe("per-tenant concurrency leases", () => {
  it("grants at most max at once, renews a holder's own lease, and frees slots on release or expiry", async () => {
    const stub = bindings.TENANT.get(bindings.TENANT.idFromName("lease-test"));
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      expect(acquireLeases(sql, "label", ["a", "b", "c"], 2, 1000, 0)).toEqual(["a", "b"]);
      expect(acquireLeases(sql, "label", ["c"], 2, 1000, 10)).toEqual([]);
      expect(acquireLeases(sql, "label", ["a"], 2, 1000, 20)).toEqual(["a"]); // a redelivery renews
      releaseLeases(sql, "label", ["b"]);
      expect(acquireLeases(sql, "label", ["c"], 2, 1000, 30)).toEqual(["c"]);
      expect(leasesHeld(sql, "label", 40)).toBe(2);
      // A crashed holder's lease lapses after its TTL.
      expect(acquireLeases(sql, "label", ["d"], 2, 1000, 5000)).toEqual(["d"]);
      expect(leasesHeld(sql, "other", 40)).toBe(0);
    });
  });
});
