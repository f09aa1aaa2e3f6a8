import { now, nowIso } from "../../../lib/clock";
import { ApiError } from "../../../errors";
import type { PageQuery } from "../../keyset";
import { checkKey, insertKey, listKeys, revokeKey, type KeyInfo, type NewKeyRow } from "../keys";
import { Surface, surface } from "./surface";

/** The tenant's API keys: only their hashes are stored; the DO is the truth, KV the fast index. */
export class KeysSurface extends Surface {
  add(row: NewKeyRow): void {
    insertKey(this.sql, row);
  }

  /** Keys in the order issued, a page after or before a key id. */
  list(q: PageQuery): { data: KeyInfo[]; has_more: boolean } {
    return listKeys(this.sql, q);
  }

  /** Revokes a key (repeat-safe) and returns it with its hash, so the KV index entry can go. */
  revoke(id: string): { key: KeyInfo; hash: string } {
    const revoked = revokeKey(this.sql, id, nowIso());
    if (!revoked) throw new ApiError("not_found", `No API key ${id}.`);
    return revoked;
  }

  /** True when the key exists, is not revoked and its hash matches. */
  check(id: string, hash: string): Promise<boolean> {
    return checkKey(this.sql, id, hash, now());
  }
}
surface(KeysSurface, "keys");
