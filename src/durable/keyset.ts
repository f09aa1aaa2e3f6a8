import { ApiError } from "../errors";

/**
 * Keyset paging for the Durable Objects' SQLite stores, in OpenAI's list terms: a page after or
 * before an item's id, never an offset, so a page costs the same wherever it is and rows added
 * meanwhile never shift one. Each list orders by one unique key (rowid for creation order, or a
 * name); the cursor is the public id of an item of this list, resolved to its key, and an id that
 * is not in this list is a 400 rather than a silently ignored cursor.
 */

/** What a caller asks for: OpenAI's `limit`, `after`, `before` (at most one of the two). */
export interface PageQuery {
  limit: number;
  after?: string;
  before?: string;
}

export interface KeysetList {
  /** `SELECT … FROM …` (may name an index or join); the key must be selectable as `_key`. */
  select: string;
  /** Filters of this list, ANDed, with their arguments in order. */
  where: string[];
  args: SqlStorageValue[];
  /** The unique ordering expression, e.g. `rowid` or `p.name`. */
  key: string;
  /** The list's order by the key: newest first lists are "desc". */
  order: "asc" | "desc";
  /** The key of the item with this public id in this list, or null when it is not one of them. */
  cursor: (id: string) => SqlStorageValue | null;
  /** What the list holds, for the error message ("job", "document", …). */
  noun: string;
}

/**
 * One page in list order. `has_more`: more items lie beyond the page in the direction of paging
 * (after the last item, or with `before`, before the first one).
 */
export function keysetPage(
  sql: SqlStorage,
  list: KeysetList,
  q: PageQuery,
): { rows: Record<string, SqlStorageValue>[]; has_more: boolean; rows_read: number } {
  if (q.after !== undefined && q.before !== undefined) {
    throw new ApiError("validation_failed", "Pass `after` or `before`, not both.", { details: [{ path: "before", message: "with after" }] });
  }
  const where = [...list.where];
  const args = [...list.args];
  const backwards = q.before !== undefined;
  const id = q.after ?? q.before;
  if (id !== undefined) {
    const key = list.cursor(id);
    if (key === null) {
      const field = backwards ? "before" : "after";
      throw new ApiError("validation_failed", `${field}: ${id} is not ${/^[aeiou]/.test(list.noun) ? "an" : "a"} ${list.noun} in this list.`, {
        details: [{ path: field, message: `unknown ${list.noun} id` }],
      });
    }
    // Items after the cursor in list order lie above it in an ascending list, below it in a descending one.
    const above = (list.order === "asc") !== backwards;
    where.push(`${list.key} ${above ? ">" : "<"} ?`);
    args.push(key);
  }
  const ascending = (list.order === "asc") !== backwards;
  const cursor = sql.exec<Record<string, SqlStorageValue>>(
    `${list.select} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${list.key} ${ascending ? "ASC" : "DESC"} LIMIT ?`,
    ...args,
    q.limit + 1,
  );
  const rows = cursor.toArray();
  const page = rows.slice(0, q.limit);
  if (backwards) page.reverse();
  return { rows: page, has_more: rows.length > q.limit, rows_read: cursor.rowsRead };
}

/** A cursor resolver from one query answering `_key` for an id (plus the list's scope arguments). */
export function keyOf(sql: SqlStorage, query: string, ...scope: SqlStorageValue[]): (id: string) => SqlStorageValue | null {
  return (id) => sql.exec<{ _key: SqlStorageValue }>(query, id, ...scope).toArray()[0]?._key ?? null;
}
