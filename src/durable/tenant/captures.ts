import { splitFor } from "../../datasets/split";
import { ApiError } from "../../errors";
import { addRow, getDataset, type NewRow } from "./datasets";
import { assertOpenForRows, closedReason } from "./snapshots";

/** A captured exchange on its way from the usage queue: its row, and the dataset it was aimed at. */
export interface CaptureIntake {
  dataset: string;
  row: Omit<NewRow, "split">;
}

/** What became of one capture: stored (or kept as rejected), or why not (its dataset is gone). */
export type CaptureOutcome = ({ ok: true } & StoredCapture) | { ok: false; error: string };

export interface StoredCapture {
  dataset: string;
  status: NewRow["status"];
  reason: string | null;
}

/**
 * Stores one captured exchange as a row of a dataset (by id or name). Stored once by its id: a
 * redelivered capture changes nothing. A capture that was on its way (`queued`) when its dataset
 * closed (froze into a snapshot) is recorded in the source as `rejected: closed` rather than lost;
 * one made now into a closed dataset is the caller's 409.
 */
export async function storeCapture(sql: SqlStorage, idOrName: string, row: Omit<NewRow, "split">, opts: { queued?: boolean } = {}): Promise<StoredCapture> {
  const dataset = getDataset(sql, idOrName);
  if (!dataset) throw new ApiError("not_found", `No dataset ${idOrName}.`);
  if (closedReason(dataset) && opts.queued) {
    const into = dataset.snapshot_of ? getDataset(sql, dataset.snapshot_of) ?? dataset : dataset;
    addRow(sql, into.id, { ...row, status: "rejected", reason: "closed", split: await splitFor(row.id, into.eval_fraction) });
    return { dataset: into.id, status: "rejected", reason: "closed" };
  }
  assertOpenForRows(dataset);
  addRow(sql, dataset.id, { ...row, split: await splitFor(row.id, dataset.eval_fraction) });
  return { dataset: dataset.id, status: row.status, reason: row.reason };
}
