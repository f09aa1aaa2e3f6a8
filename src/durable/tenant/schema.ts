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
  `CREATE TABLE programs (
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     description TEXT NOT NULL,
     output_schema TEXT NOT NULL,
     prompt_template TEXT NOT NULL,
     mode TEXT NOT NULL,
     system_prompt TEXT,
     deleted_at TEXT,
     created_at TEXT NOT NULL,
     PRIMARY KEY (name, version)
   )`,
  `CREATE TABLE usage (
     day TEXT NOT NULL,
     model TEXT NOT NULL,
     kind TEXT NOT NULL,
     calls INTEGER NOT NULL,
     prompt_tokens INTEGER NOT NULL,
     completion_tokens INTEGER NOT NULL,
     cost_usd REAL NOT NULL,
     PRIMARY KEY (day, model, kind)
   )`,
  `CREATE TABLE datasets (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     eval_fraction REAL NOT NULL,
     config TEXT NOT NULL,
     error TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE TABLE dataset_rows (
     id TEXT PRIMARY KEY,
     dataset_id TEXT NOT NULL,
     source TEXT NOT NULL,
     status TEXT NOT NULL,
     reason TEXT,
     split TEXT NOT NULL,
     question TEXT,
     example TEXT,
     tokens INTEGER,
     program TEXT,
     program_version INTEGER,
     model TEXT,
     usage TEXT,
     chunk_ids TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE INDEX dataset_rows_by_dataset ON dataset_rows (dataset_id, status, split)`,
  `ALTER TABLE dataset_rows ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE dataset_rows ADD COLUMN last_error TEXT`,
  `ALTER TABLE dataset_rows ADD COLUMN chunk_id TEXT`,
  `ALTER TABLE dataset_rows ADD COLUMN norm TEXT`,
  `ALTER TABLE dataset_rows ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0`,
  `CREATE INDEX dataset_rows_by_norm ON dataset_rows (dataset_id, norm)`,
  `ALTER TABLE datasets ADD COLUMN files TEXT`,
  `CREATE TABLE gen_tasks (
     dataset_id TEXT NOT NULL,
     chunk_id TEXT NOT NULL,
     status TEXT NOT NULL,
     questions INTEGER NOT NULL DEFAULT 0,
     prompt_tokens INTEGER NOT NULL DEFAULT 0,
     completion_tokens INTEGER NOT NULL DEFAULT 0,
     cost_usd REAL NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     error TEXT,
     PRIMARY KEY (dataset_id, chunk_id)
   )`,
  `CREATE TABLE leases (
     name TEXT NOT NULL,
     holder TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (name, holder)
   )`,
  // Fine-tune jobs: an index of the per-job Durable Objects, for listing and attach checks.
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     provider TEXT NOT NULL,
     provider_job_id TEXT,
     dataset_id TEXT,
     base_model TEXT NOT NULL,
     state TEXT NOT NULL,
     fine_tuned_model TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE UNIQUE INDEX jobs_by_provider_job ON jobs (provider, provider_job_id)`,
  `CREATE INDEX jobs_by_state ON jobs (state, created_at)`,
  // The tenant's model registry: every fine-tune a job produced, and what happened to it.
  `CREATE TABLE models (
     id TEXT PRIMARY KEY,
     provider TEXT NOT NULL,
     fine_tune_provider TEXT NOT NULL,
     base_model TEXT NOT NULL,
     job_id TEXT NOT NULL,
     status TEXT NOT NULL,
     servable INTEGER NOT NULL,
     trained_tokens INTEGER,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE TABLE model_history (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     model TEXT NOT NULL,
     action TEXT NOT NULL,
     job_id TEXT,
     detail TEXT,
     at TEXT NOT NULL
   )`,
  // Rows of a dataset in insertion order (the implicit rowid after dataset_id): pages seek, never sort.
  `CREATE INDEX dataset_rows_in_order ON dataset_rows (dataset_id)`,
  // A label step's retrieval (chunk ids and scores), kept when a later call of the step failed,
  // so its retry does not embed the question again.
  `ALTER TABLE dataset_rows ADD COLUMN kept_sources TEXT`,
  // Recovery (src/recovery/): every in-flight state carries a lease (ms since the epoch, clock seam)
  // that its work renews; the sweeper finds the ones past it and counts its recoveries.
  `ALTER TABLE datasets ADD COLUMN lease_until INTEGER`,
  `ALTER TABLE datasets ADD COLUMN recoveries INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE documents ADD COLUMN lease_until INTEGER`,
  `ALTER TABLE documents ADD COLUMN recoveries INTEGER NOT NULL DEFAULT 0`,
  // Snapshots are datasets too (status writing → ready | failed), immutable: the source's rows up to
  // a rowid, its files and counts fixed when it was taken.
  `ALTER TABLE datasets ADD COLUMN snapshot_of TEXT`,
  `ALTER TABLE datasets ADD COLUMN version INTEGER`,
  `ALTER TABLE datasets ADD COLUMN through_rowid INTEGER`,
  `CREATE INDEX datasets_by_source ON datasets (snapshot_of, version)`,
  // Whether the tenant is on the sweeper's index of tenants with work in flight (KV TENANTS).
  `CREATE TABLE sweep_index (name TEXT PRIMARY KEY, since INTEGER NOT NULL)`,
  // The tenant's webhook endpoints, and the outbox their deliveries are retried from (webhooks.ts).
  `CREATE TABLE webhook_endpoints (
     id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     events TEXT NOT NULL,
     secret TEXT NOT NULL,
     previous_secret TEXT,
     previous_secret_until INTEGER,
     created_at TEXT NOT NULL
   )`,
  `CREATE TABLE webhook_events (
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL
   )`,
  `CREATE TABLE webhook_deliveries (
     event_id TEXT NOT NULL,
     endpoint_id TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at INTEGER,
     delivered_at TEXT,
     last_error TEXT,
     gave_up INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     PRIMARY KEY (event_id, endpoint_id)
   )`,
  `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE next_at IS NOT NULL`,
  // How far a document's split has got (ingest works in slices): where the next slice starts, the next
  // chunk's idx, the tokens counted so far (up to counted_to). Gone once the document is chunked.
  `CREATE TABLE ingest_progress (
     document_id TEXT PRIMARY KEY,
     next_offset INTEGER NOT NULL,
     next_idx INTEGER NOT NULL,
     tokens INTEGER NOT NULL,
     counted_to INTEGER NOT NULL
   )`,
  // A document's progress without reading its chunks' text: the counts and sums (chunkStats) come from this
  // index alone, and the next chunks to embed are a seek, not a scan past every chunk embedded already.
  // (A column after \`text\` in a row sits behind its overflow pages: reading \`tokens\` or \`embedded\` from
  // the table read the whole document's text, on every progress poll.)
  `CREATE INDEX chunks_progress ON chunks (document_id, embedded, idx, tokens)`,
  // Rows of an import in progress, invisible to reads until the import commits them all at once
  // (an import streams in pages but stays all or nothing). Orphans of a killed request are swept.
  `CREATE TABLE import_staging (
     import_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     dataset_id TEXT NOT NULL,
     id TEXT NOT NULL,
     split TEXT NOT NULL,
     example TEXT NOT NULL,
     tokens INTEGER,
     line INTEGER NOT NULL,
     staged_at INTEGER NOT NULL,
     PRIMARY KEY (import_id, seq)
   )`,
  // An import's duplicates (within the file, and of rows already in the dataset) found by seeks
  // (dropped since: the duplicates' pass sorts the staged rows once, below).
  `CREATE INDEX import_staging_ids ON import_staging (import_id, id, seq)`,
  // Money in integer micro-dollars (src/lib/money.ts), so sums are exact; the REAL cost_usd columns
  // are no longer written, kept (SQLite keeps dropped columns' data anyway) and carried over here.
  `ALTER TABLE usage ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0`,
  `UPDATE usage SET cost_micros = CAST(ROUND(cost_usd * 1000000) AS INTEGER)`,
  `ALTER TABLE dataset_rows ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0`,
  `UPDATE dataset_rows SET cost_micros = CAST(ROUND(cost_usd * 1000000) AS INTEGER) WHERE cost_usd != 0`,
  `ALTER TABLE gen_tasks ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0`,
  `UPDATE gen_tasks SET cost_micros = CAST(ROUND(cost_usd * 1000000) AS INTEGER) WHERE cost_usd != 0`,
  // Usage events recorded from the usage queue, by their ids: a redelivered message changes nothing.
  // Kept for USAGE_EVENT_KEEP_MS (src/durable/tenant/usage.ts), far past any redelivery.
  `CREATE TABLE usage_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
  `CREATE INDEX usage_events_at ON usage_events (at)`,
  // Deployments of open-weights students (issue 21): the tenant's index (each one's lifecycle lives in
  // its ModelDeployment object), and how a registered model is reached once a deployment serves it.
  `CREATE TABLE deployments (
     id TEXT PRIMARY KEY,
     model TEXT NOT NULL,
     provider TEXT NOT NULL,
     profile TEXT NOT NULL,
     state TEXT NOT NULL,
     inference_model TEXT,
     hourly_micros INTEGER NOT NULL,
     min_replicas INTEGER NOT NULL,
     max_replicas INTEGER NOT NULL,
     shared INTEGER NOT NULL DEFAULT 0,
     job_id TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE INDEX deployments_model ON deployments (model, state)`,
  `ALTER TABLE models ADD COLUMN deployment_id TEXT`,
  `ALTER TABLE models ADD COLUMN base_url TEXT`,
  `ALTER TABLE models ADD COLUMN inference_model TEXT`,
  // Eval runs (src/evals/runs/): one record per run, its questions in order, and its tasks, one per
  // (question, model) answer and per judge unit, under stable ids so a redelivered message writes nothing.
  `CREATE TABLE evals (
     id TEXT PRIMARY KEY,
     dataset_id TEXT NOT NULL,
     status TEXT NOT NULL,
     config TEXT NOT NULL,
     job_id TEXT,
     questions INTEGER NOT NULL,
     tasks_total INTEGER NOT NULL DEFAULT 0,
     tasks_done INTEGER NOT NULL DEFAULT 0,
     tasks_failed INTEGER NOT NULL DEFAULT 0,
     cost_micros INTEGER NOT NULL DEFAULT 0,
     reserved_micros INTEGER NOT NULL DEFAULT 0,
     estimate TEXT NOT NULL,
     decision TEXT,
     report_key TEXT,
     error TEXT,
     lease_until INTEGER,
     recoveries INTEGER NOT NULL DEFAULT 0,
     request_id TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     finished_at TEXT
   )`,
  `CREATE INDEX evals_by_job ON evals (job_id) WHERE job_id IS NOT NULL`,
  `CREATE TABLE eval_questions (
     eval_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     row_id TEXT NOT NULL,
     PRIMARY KEY (eval_id, seq)
   )`,
  `CREATE TABLE eval_tasks (
     eval_id TEXT NOT NULL,
     id TEXT NOT NULL,
     kind TEXT NOT NULL,
     row_id TEXT NOT NULL,
     model INTEGER NOT NULL,
     rep INTEGER NOT NULL DEFAULT 0,
     state TEXT NOT NULL,
     score REAL,
     undetermined TEXT,
     extra TEXT,
     result TEXT,
     cost_micros INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (eval_id, id)
   )`,
  `CREATE INDEX eval_tasks_by_state ON eval_tasks (eval_id, state)`,
  `CREATE INDEX eval_tasks_by_row ON eval_tasks (eval_id, row_id)`,
  // The switch (active-model.ts): one row per version of the tenant's active model; the newest is the
  // truth, KV MODELS its copy, and active_model_sync how far that copy is known to have got.
  `CREATE TABLE active_model (
     version INTEGER PRIMARY KEY,
     model TEXT NOT NULL,
     provider TEXT NOT NULL,
     base_url TEXT,
     served_as TEXT NOT NULL,
     eval_id TEXT,
     action TEXT NOT NULL,
     reason TEXT,
     prior_version INTEGER,
     at TEXT NOT NULL
   )`,
  `CREATE TABLE active_model_sync (one INTEGER PRIMARY KEY CHECK (one = 1), synced_version INTEGER NOT NULL)`,
  // The promotion rule (src/promotion/rule.ts) and its decisions, one per eval: a second decision for
  // the same eval (a redelivered completion) reads the first and switches nothing.
  `CREATE TABLE promotion_rule (one INTEGER PRIMARY KEY CHECK (one = 1), rule TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE promotion_decisions (eval_id TEXT PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`,
  // An import's duplicates are found in one pass over its staged rows, sorted by id once
  // (import-staging.ts), not by seeks: an index by id cost a write and a delete at a random place per row.
  `DROP INDEX import_staging_ids`,
] as const;
