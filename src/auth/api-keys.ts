import { openTenant, type TenantHandle } from "../durable/tenant";
import type { KeyInfo } from "../durable/tenant/keys";
import type { AuthContext, Bindings } from "../env";
import { newId, randomToken, sha256Hex } from "../lib/ids";
import { nowIso } from "../lib/clock";
import { cachedKey, checkOnce, forgetKey } from "./key-cache";

/** Tenant keys look like `dk_` + 32 base64url characters (192 random bits). */
export const KEY_PREFIX = "dk_";
const PREFIX_SHOWN = 10;

/** KV `TENANTS` entry for a key: its SHA-256 hash → which tenant and which key. */
interface KeyIndexEntry {
  tenant_id: string;
  key_id: string;
}

const keyIndexName = (hash: string) => `key:${hash}`;

export interface IssuedKey extends KeyInfo {
  /** The key itself: shown once, in the response that creates it. */
  key: string;
}

/**
 * Issues a key for a tenant: the Tenant DO (the truth) first, then the KV index
 * auth reads on the hot path. Only the hash is stored anywhere.
 */
export async function issueKey(env: Bindings, tenant: TenantHandle, name: string | null): Promise<IssuedKey> {
  const key = KEY_PREFIX + randomToken(24);
  const hash = await sha256Hex(key);
  const row = { id: newId("key"), name, prefix: key.slice(0, PREFIX_SHOWN), hash, created_at: nowIso() };
  await tenant.keys.add(row);
  const entry: KeyIndexEntry = { tenant_id: tenant.id, key_id: row.id };
  await env.TENANTS.put(keyIndexName(hash), JSON.stringify(entry));
  const { hash: _hash, ...info } = row;
  return { ...info, last_used_at: null, revoked_at: null, key };
}

/**
 * Revokes a key: the DO stops accepting it at once, this isolate forgets it at once (other
 * isolates within KEY_CACHE_TTL_MS, see key-cache.ts); the KV index entry is dropped after.
 */
export async function revokeKey(env: Bindings, tenant: TenantHandle, keyId: string): Promise<KeyInfo> {
  const revoked = await tenant.keys.revoke(keyId);
  forgetKey(revoked.hash);
  await env.TENANTS.delete(keyIndexName(revoked.hash));
  return revoked.key;
}

/**
 * Resolves a presented key to its tenant. A key this isolate verified within KEY_CACHE_TTL_MS is
 * taken as verified (key-cache.ts states the revocation bound this gives). Otherwise KV finds the
 * tenant fast and the tenant's Durable Object confirms the key (constant-time hash compare, not
 * revoked), because KV is eventually consistent and the object holds the truth.
 * Answers the caller's handle on that object (its to dispose), or null.
 */
export async function verifyKey(env: Bindings, presented: string): Promise<{ auth: AuthContext; tenant: TenantHandle } | null> {
  if (!presented.startsWith(KEY_PREFIX) || presented.length > 128) return null;
  const hash = await sha256Hex(presented);
  const auth = cachedKey(hash) ?? (await checkOnce(hash, () => checkKey(env, hash)));
  return auth ? { auth, tenant: openTenant(env, auth.tenantId) } : null;
}

/** The KV index's tenant for a key's hash, confirmed by that tenant's object. */
async function checkKey(env: Bindings, hash: string): Promise<AuthContext | null> {
  const entry = await env.TENANTS.get<KeyIndexEntry>(keyIndexName(hash), { type: "json" });
  if (!entry) return null;
  using tenant = openTenant(env, entry.tenant_id);
  return (await tenant.keys.check(entry.key_id, hash)) ? { tenantId: entry.tenant_id, keyId: entry.key_id } : null;
}
