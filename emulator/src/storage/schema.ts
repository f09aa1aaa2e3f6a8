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
  `);
}
