/** The Durable Object's SQLite schema. Idempotent, run on every construction. */
export function migrate(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS runs (
      name TEXT PRIMARY KEY,
      config TEXT NOT NULL,
      configured INTEGER NOT NULL,
      clock_real REAL NOT NULL,
      clock_emulated REAL NOT NULL,
      speed REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS run_stats (
      run TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value INTEGER NOT NULL,
      PRIMARY KEY (run, kind, key)
    );
    CREATE TABLE IF NOT EXISTS fingerprints (
      run TEXT NOT NULL, hash TEXT NOT NULL, seen INTEGER NOT NULL,
      PRIMARY KEY (run, hash)
    );
    CREATE TABLE IF NOT EXISTS script_use (
      run TEXT NOT NULL, idx INTEGER NOT NULL, used INTEGER NOT NULL,
      PRIMARY KEY (run, idx)
    );
    CREATE TABLE IF NOT EXISTS files (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      filename TEXT NOT NULL,
      purpose TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      chunks INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS file_chunks (
      file_id TEXT NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL,
      PRIMARY KEY (file_id, idx)
    );
    CREATE TABLE IF NOT EXISTS jobs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      run TEXT NOT NULL,
      model_name TEXT NOT NULL,
      spec TEXT NOT NULL,
      state TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS fw_datasets (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      account TEXT NOT NULL,
      id TEXT NOT NULL,
      record TEXT NOT NULL,
      UNIQUE (account, id)
    );
    CREATE TABLE IF NOT EXISTS signed_uploads (
      token TEXT PRIMARY KEY,
      account TEXT NOT NULL,
      dataset TEXT NOT NULL,
      filename TEXT NOT NULL,
      size INTEGER NOT NULL,
      file_id TEXT
    );
    CREATE TABLE IF NOT EXISTS fw_deployments (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      account TEXT NOT NULL,
      id TEXT NOT NULL,
      record TEXT NOT NULL,
      UNIQUE (account, id)
    );
    CREATE TABLE IF NOT EXISTS fw_deployed_models (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      account TEXT NOT NULL,
      id TEXT NOT NULL,
      record TEXT NOT NULL,
      UNIQUE (account, id)
    );
    CREATE TABLE IF NOT EXISTS uploads (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      record TEXT NOT NULL
    );
  `);
  // A column added after the first schema (SQLite has no ADD COLUMN IF NOT EXISTS): probe
  // with a harmless SELECT, so no failing write runs inside the object's implicit transaction.
  for (const table of ["files", "jobs"]) {
    if (!hasColumn(sql, table, "provider")) sql.exec(`ALTER TABLE ${table} ADD COLUMN provider TEXT NOT NULL DEFAULT 'openai'`);
  }
}

function hasColumn(sql: SqlStorage, table: string, column: string): boolean {
  try {
    sql.exec(`SELECT ${column} FROM ${table} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}
