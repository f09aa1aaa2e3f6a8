import { runInDurableObject } from "cloudflare:test";
import { openTenant } from "../../src/durable/tenant";
import { currentVersion, pointerOf } from "../../src/durable/tenant/active-model";
import type { Tenant } from "../../src/durable/tenant";
import { activeModelKey } from "../../src/programs/models";
import type { ActivePointer } from "../../src/serving/pointer";
import { bindings } from "../helpers/api";

/** An open-weights base (no provider cutoff date applies on either clock the suite runs at). */
export const TOGETHER_BASE = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";
/** An OpenAI base that shuts down on 2027-01-14, with its fine-tunes. */
export const OPENAI_BASE = "gpt-4o-mini-2024-07-18";

/** Registers a fine-tune in the tenant's registry, as a finished job would. */
export async function registerFineTune(tenantId: string, opts: { servable?: boolean; tag?: string; openai?: boolean } = {}): Promise<string> {
  const tag = opts.tag ?? crypto.randomUUID().slice(0, 8);
  const id = opts.openai ? `ft:${OPENAI_BASE}:org:${tag}:ft${tag}` : `acct/Meta-Llama-3.1-8B-Instruct-Reference:${tag}:ft-${tag}`;
  const provider = opts.openai ? "openai" : "together";
  using tenant = openTenant(bindings, tenantId);
  await tenant.models.register({
    id,
    provider,
    fine_tune_provider: provider,
    base_model: opts.openai ? OPENAI_BASE : TOGETHER_BASE,
    job_id: `job_${tag}`,
    servable: opts.servable ?? true,
    trained_tokens: 1000,
  });
  return id;
}

/** What KV `MODELS` holds for the tenant (the hot path's copy). */
export function kvPointer(tenantId: string): Promise<ActivePointer | null> {
  return bindings.MODELS.get<ActivePointer>(activeModelKey(tenantId), { type: "json" });
}

export function tenantStub(tenantId: string): DurableObjectStub<Tenant> {
  return bindings.TENANT.get(bindings.TENANT.idFromName(tenantId));
}

/** The object's truth, read from its database (no sync on the way, unlike the surface's view). */
export function truthOf(tenantId: string): Promise<ActivePointer | null> {
  return runInDurableObject(tenantStub(tenantId), (_instance: Tenant, state) => {
    const current = currentVersion(state.storage.sql);
    return current ? pointerOf(current) : null;
  });
}
