import type { TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";

/** What one kind's sweep of one tenant did: stalled items found, resumed, given up (failed after too many recoveries). */
export interface KindCounts {
  found: number;
  resumed: number;
  gave_up: number;
  errors: number;
}

/**
 * One kind of in-flight work the sweeper looks after. `find` takes the tenant's stalled items (the
 * Tenant object renews their leases as it hands them out, so a concurrent sweep never takes one
 * twice, and gives up those resumed too often); `repair` resumes one (re-queue its lost messages,
 * write its files). Both must be idempotent: repairing work that was not lost after all only
 * delivers a message its consumer finds done. Later areas (evals, deployments) add their kinds
 * with `registerSweepKind`.
 */
export interface SweepKind<T extends { action: "resume" | "gave_up" } = { action: "resume" | "gave_up" }> {
  name: string;
  find(tenant: TenantHandle, at: number): Promise<T[]>;
  repair(env: Bindings, tenant: TenantHandle, item: T, requestId: string): Promise<void>;
}

const registry = new Map<string, SweepKind<any>>();

/** Adds a kind to the sweeper (a later registration of the same name replaces it). */
export function registerSweepKind<T extends { action: "resume" | "gave_up" }>(kind: SweepKind<T>): void {
  registry.set(kind.name, kind);
}

/** The registered kinds, in registration order. */
export function sweepKinds(): SweepKind[] {
  return [...registry.values()];
}
