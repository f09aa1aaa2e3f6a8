/** The Tenant database, one SQLite per tenant. Append new steps; never edit old ones. */
export const TENANT_MIGRATIONS = [
  `CREATE TABLE tenant (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL,
     settings TEXT NOT NULL DEFAULT '{}'
   )`,
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT,
     prefix TEXT NOT NULL,
     hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at TEXT
   )`,
  `CREATE TABLE idempotency (
     key TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     state TEXT NOT NULL,
     status INTEGER,
     content_type TEXT,
     body TEXT,
     created_at INTEGER NOT NULL
   )`,
] as const;
