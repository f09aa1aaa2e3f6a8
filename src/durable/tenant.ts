import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { migrate } from "./sql-migrations";
import {
  beginIdempotent,
  completeIdempotent,
  releaseIdempotent,
  type IdempotencyBegin,
  type StoredResponse,
} from "./tenant/idempotency";
import { checkKey, insertKey, listKeys, revokeKey, type KeyInfo, type NewKeyRow } from "./tenant/keys";
import { TENANT_MIGRATIONS } from "./tenant/schema";

export interface TenantInfo {
  id: string;
  name: string;
  created_at: string;
  settings: Record<string, unknown>;
}

/**
 * One tenant's own database (SQLite): settings and keys now; documents,
 * programs and datasets join as their issues land. Addressed by tenant id.
 */
export class Tenant extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => migrate(this.sql, TENANT_MIGRATIONS));
  }

  /** Creates the tenant record once; a repeat returns the existing record. */
  async create(info: { id: string; name: string; created_at: string }): Promise<TenantInfo> {
    this.sql.exec(
      "INSERT OR IGNORE INTO tenant (id, name, created_at) VALUES (?, ?, ?)",
      info.id,
      info.name,
      info.created_at,
    );
    return (await this.info())!;
  }

  async info(): Promise<TenantInfo | null> {
    const row = this.sql.exec<Record<string, string>>("SELECT * FROM tenant LIMIT 1").toArray()[0];
    if (!row) return null;
    return {
      id: row.id!,
      name: row.name!,
      created_at: row.created_at!,
      settings: JSON.parse(row.settings ?? "{}") as Record<string, unknown>,
    };
  }

  async addKey(row: NewKeyRow): Promise<void> {
    insertKey(this.sql, row);
  }

  async listKeys(): Promise<KeyInfo[]> {
    return listKeys(this.sql);
  }

  async revokeKey(id: string): Promise<{ key: KeyInfo; hash: string } | null> {
    return revokeKey(this.sql, id, new Date().toISOString());
  }

  async checkKey(id: string, hash: string): Promise<boolean> {
    return checkKey(this.sql, id, hash, new Date());
  }

  async idempotencyBegin(key: string, fingerprint: string): Promise<IdempotencyBegin> {
    return beginIdempotent(this.sql, key, fingerprint, Date.now());
  }

  async idempotencyComplete(key: string, response: StoredResponse): Promise<void> {
    completeIdempotent(this.sql, key, response);
  }

  async idempotencyRelease(key: string): Promise<void> {
    releaseIdempotent(this.sql, key);
  }
}

/** The stub of a tenant's Durable Object. */
export function tenantStub(env: Bindings, tenantId: string): DurableObjectStub<Tenant> {
  return env.TENANT.get(env.TENANT.idFromName(tenantId));
}
