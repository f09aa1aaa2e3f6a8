import { advance, pendingWork } from "../dataset-state";
import { hasWorkInFlight, stalledJobStarts, takeStalledDatasets, takeStalledDocuments, unregisterIfIdle, type Taken } from "../recovery";
import { Surface, surface } from "./surface";

/** A stalled dataset the sweeper took, with the work left to queue again. */
export interface TakenDataset extends Taken {
  pending: { chunks: string[]; questions: string[] };
  /** Nothing was pending: it was moved along to `writing`, and the taker writes its files. */
  finalize: boolean;
}

/**
 * What the sweeper (src/recovery/) asks of a tenant: the stalled work of each kind, taken (a fresh
 * lease each, so two sweeps never take the same work at once; given up past MAX_RECOVERIES), and
 * whether the tenant can leave the sweeper's index.
 */
export class RecoverySurface extends Surface {
  /** Documents pending or processing past their lease. */
  stalledDocuments(at: number, limit: number): Taken[] {
    return takeStalledDocuments(this.sql, at, limit);
  }

  /** Datasets generating or labeling past their lease, each with its pending work (the existing pending-work query). */
  stalledGeneration(at: number, limit: number, workLimit: number): TakenDataset[] {
    return takeStalledDatasets(this.sql, ["generating", "labeling"], at, limit).map((t) => {
      const none = { chunks: [], questions: [] };
      if (t.action !== "resume") return { ...t, pending: none, finalize: false };
      const pending = pendingWork(this.sql, t.id, workLimit);
      // Its last step died before moving it along: move it now (to writing, when nothing is pending).
      if (pending.chunks.length === 0 && pending.questions.length === 0) return { ...t, pending, finalize: advance(this.sql, t.id).finalize };
      return { ...t, pending, finalize: false };
    });
  }

  /** Datasets and snapshots `writing` past their lease: their writer died; the taker writes the files. */
  stalledWriting(at: number, limit: number): Taken[] {
    return takeStalledDatasets(this.sql, ["writing"], at, limit);
  }

  /** Jobs whose start may have been lost (the index says `created`, long ago): the taker asks their objects. */
  stalledJobStarts(at: number, limit: number): Taken[] {
    return stalledJobStarts(this.sql, at, limit).map((id) => ({ id, status: "created", action: "resume" as const }));
  }

  /** Whether anything is in flight. */
  busy(): boolean {
    return hasWorkInFlight(this.sql);
  }

  /** Takes the tenant off the sweeper's index when nothing is in flight; true when it did. */
  settle(tenantId: string): Promise<boolean> {
    return unregisterIfIdle(this.sql, this.env.TENANTS, tenantId);
  }
}
surface(RecoverySurface, "recovery");
