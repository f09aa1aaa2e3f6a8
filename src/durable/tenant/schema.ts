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
  `CREATE TABLE documents (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     format TEXT NOT NULL,
     content_type TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     dedupe_key TEXT NOT NULL,
     r2_key TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     metadata TEXT NOT NULL,
     settings TEXT NOT NULL,
     status TEXT NOT NULL,
     error TEXT,
     chunk_count INTEGER,
     token_count INTEGER,
     page_count INTEGER,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE INDEX documents_by_dedupe ON documents (dedupe_key)`,
  `CREATE TABLE chunks (
     id TEXT PRIMARY KEY,
     document_id TEXT NOT NULL,
     idx INTEGER NOT NULL,
     text TEXT NOT NULL,
     start_offset INTEGER NOT NULL,
     end_offset INTEGER NOT NULL,
     page_from INTEGER,
     page_to INTEGER,
     tokens INTEGER NOT NULL,
     embedded INTEGER NOT NULL DEFAULT 0
   )`,
  `CREATE INDEX chunks_by_document ON chunks (document_id, idx)`,
] as const;
