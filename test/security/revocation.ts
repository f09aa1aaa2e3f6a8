import { KEY_CACHE_TTL_MS } from "../../src/auth/key-cache";
import { openTenant } from "../../src/durable/tenant";
import { sha256Hex } from "../../src/lib/ids";
import { advanceClock, nowMs } from "../../src/lib/clock";
import { bindings } from "../helpers/api";

/**
 * How long a revoked key may go on working in an isolate other than the one that revoked it, as
 * the README states it ("A revoked key stops working at once here and within 30 s everywhere"): the
 * per-isolate key cache's bound (src/auth/key-cache.ts). A change of the bound changes the README,
 * that constant and the sentence below together; the suite checks the README still says what the
 * probe assumes.
 */
export const REVOCATION_BOUND_MS = KEY_CACHE_TTL_MS;
export const README_REVOCATION_SENTENCE = "A revoked key stops working at once in the isolate that revokes it and within 30 s in every other";

/**
 * The clock the revoked-key probe reads: the Worker's own clock seam (src/lib/clock.ts). The probe
 * revokes at `now()`, moves the seam past the bound (never a sleep), then the very next request
 * must be refused.
 */
export const revocationClock = {
  now: (): number => nowMs(),
  advance(ms: number): void {
    if (ms > 0) advanceClock(ms);
  },
};

/**
 * Revokes a key as another isolate would: in the tenant's object and in KV, without this isolate's
 * key cache hearing of it (so the cache, not the eviction, is what the probe exercises).
 */
export async function revokeElsewhere(tenantId: string, keyId: string, key: string): Promise<void> {
  using tenant = openTenant(bindings, tenantId);
  await tenant.keys.revoke(keyId);
  await bindings.TENANTS.delete(`key:${await sha256Hex(key)}`);
}
