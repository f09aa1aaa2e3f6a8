import { nowMs } from "../../../lib/clock";
import { ApiError } from "../../../errors";
import { beginIdempotent, completeIdempotent, releaseIdempotent, type StoredResponse } from "../idempotency";
import { Surface, surface } from "./surface";

/** A reservation another request holds is retried after this long. */
const IN_PROGRESS_RETRY_MS = 1000;

/** Idempotency-Key records: reserve before the handler runs, store the first final answer, replay it. */
export class IdempotencySurface extends Surface {
  /**
   * Reserves `key` for this request (null: run it), or answers the stored response to replay.
   * The same key with another request, or while another holds it, is an idempotency_conflict.
   */
  begin(key: string, fingerprint: string): StoredResponse | null {
    const begun = beginIdempotent(this.sql, key, fingerprint, nowMs());
    if (begun.state === "mismatch") {
      throw new ApiError("idempotency_conflict", "This Idempotency-Key was already used with a different request.");
    }
    if (begun.state === "in_progress") {
      throw new ApiError("idempotency_conflict", "A request with this Idempotency-Key is still in progress.", {
        retryable: true,
        retryAfterMs: IN_PROGRESS_RETRY_MS,
      });
    }
    return begun.state === "replay" ? { status: begun.status, contentType: begun.contentType, body: begun.body } : null;
  }

  complete(key: string, response: StoredResponse): void {
    completeIdempotent(this.sql, key, response);
  }

  /** Drops a reservation whose answer is not kept (refused before the handler, 5xx, 429, too large), so a retry runs. */
  release(key: string): void {
    releaseIdempotent(this.sql, key);
  }
}
surface(IdempotencySurface, "idempotency");
