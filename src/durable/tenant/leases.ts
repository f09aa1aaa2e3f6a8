/**
 * Concurrency leases: at most `max` holders of a named lease at once per tenant, each
 * with a time-to-live, so a consumer that crashed while holding one cannot keep it.
 * This is what bounds one tenant's share of the shared provider quota.
 */

/** Grants leases to as many of `holders` as there are free slots; returns the granted ones. */
export function acquireLeases(sql: SqlStorage, name: string, holders: readonly string[], max: number, ttlMs: number, now: number): string[] {
  sql.exec("DELETE FROM leases WHERE expires_at <= ?", now);
  let held = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM leases WHERE name = ?", name).one().n;
  const granted: string[] = [];
  for (const holder of holders) {
    // A holder that has the lease already (a redelivery) renews it without taking a new slot.
    const renewing = sql.exec("SELECT 1 FROM leases WHERE name = ? AND holder = ?", name, holder).toArray().length > 0;
    if (!renewing && held >= max) continue;
    sql.exec("INSERT OR REPLACE INTO leases (name, holder, expires_at) VALUES (?, ?, ?)", name, holder, now + ttlMs);
    if (!renewing) held++;
    granted.push(holder);
  }
  return granted;
}

export function releaseLeases(sql: SqlStorage, name: string, holders: readonly string[]): void {
  for (const holder of holders) sql.exec("DELETE FROM leases WHERE name = ? AND holder = ?", name, holder);
}

/** How many leases of `name` are held now (for tests and progress). */
export function leasesHeld(sql: SqlStorage, name: string, now: number): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM leases WHERE name = ? AND expires_at > ?", name, now).one().n;
}
