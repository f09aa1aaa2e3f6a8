import { safeEqual } from "../../lib/ids";
import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { first, rowOf, text, textOrNull } from "../sql-rows";

/** An API key as a tenant may see it: never the key, never its hash. */
export interface KeyInfo {
  id: string;
  name: string | null;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface NewKeyRow {
  id: string;
  name: string | null;
  prefix: string;
  hash: string;
  created_at: string;
}

type KeyRow = KeyInfo & { hash: string };

const keyInfo = { id: text, name: textOrNull, prefix: text, created_at: text, last_used_at: textOrNull, revoked_at: textOrNull };
const infoRow = rowOf<KeyInfo>()(keyInfo);
const keyRow = rowOf<KeyRow>()({ ...keyInfo, hash: text });

/** last_used_at is advisory: refresh it at most once a minute to keep auth writes rare. */
const TOUCH_INTERVAL_MS = 60_000;

export function insertKey(sql: SqlStorage, row: NewKeyRow): void {
  sql.exec(
    "INSERT OR IGNORE INTO api_keys (id, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?)",
    row.id,
    row.name,
    row.prefix,
    row.hash,
    row.created_at,
  );
}

/** Keys in the order issued, keyset-paged after or before a key id. */
export function listKeys(sql: SqlStorage, q: PageQuery): { data: KeyInfo[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys",
      where: [],
      args: [],
      key: "rowid",
      order: "asc",
      cursor: keyOf(sql, "SELECT rowid AS _key FROM api_keys WHERE id = ?"),
      noun: "key",
    },
    q,
  );
  return { data: page.rows.map(infoRow), has_more: page.has_more };
}

/** Marks a key revoked (idempotently); returns it with its hash so the KV index can drop it. */
export function revokeKey(sql: SqlStorage, id: string, now: string): { key: KeyInfo; hash: string } | null {
  sql.exec("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, id);
  const row = first(keyRow, sql, "SELECT * FROM api_keys WHERE id = ?", id);
  if (!row) return null;
  const { hash, ...key } = row;
  return { key, hash };
}

/** True when the key exists, is not revoked and its hash matches (compared in constant time). */
export async function checkKey(sql: SqlStorage, id: string, hash: string, now: Date): Promise<boolean> {
  const row = first(keyRow, sql, "SELECT * FROM api_keys WHERE id = ?", id);
  if (!row || row.revoked_at) return false;
  if (!(await safeEqual(row.hash, hash))) return false;
  const last = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (now.getTime() - last > TOUCH_INTERVAL_MS) {
    sql.exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", now.toISOString(), id);
  }
  return true;
}
