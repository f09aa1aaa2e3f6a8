import { ApiError } from "../../../errors";
import { nowMs } from "../../../lib/clock";
import { advance, cancelDataset, deleteDataset, pendingWork, progress, renewLease, type GenerationProgress } from "../dataset-state";
import {
  countRows,
  createDataset,
  getDataset,
  latestSnapshot,
  listDatasets,
  listRows,
  listSnapshots,
  rowsOf,
  getRow,
  labelPendingRow,
  type RowLabel,
  type DatasetCounts,
  type DatasetRecord,
  type NewRow,
  type RowRecord,
  type RowStatus,
  type Split,
} from "../datasets";
import { DATASET_LEASE_MS, isStalled, DATASET_IN_FLIGHT, registerInFlight } from "../recovery";
import { assertOpenForRows, snapshotFailed, snapshotWritten, takeSnapshot } from "../snapshots";
import { type CommittedImport, commitStaged, discardStaged, stagedCount, stageRows, type StagedRow, sweepStaged } from "../import-staging";
import type { PageQuery } from "../../keyset";
import { Surface, surface } from "./surface";
import { type StoredCapture, storeCapture } from "../captures";

type Page = { data: RowRecord[]; has_more: boolean; rows_read: number };

/** Datasets as the API shows them, and the rows a dataset's files and exports are written from. */
export class DatasetsSurface extends Surface {
  /** An empty (open) dataset, for imports and captures; conflict when the name is taken. */
  create(d: { id: string; name: string; eval_fraction: number }): DatasetRecord {
    const created = createDataset(this.sql, { ...d, status: "open", config: {} });
    if (!created) throw new ApiError("conflict", `A dataset named ${d.name} exists.`);
    return created;
  }

  /** A dataset by id or name. */
  get(idOrName: string): DatasetRecord {
    return this.#dataset(idOrName);
  }

  /** A dataset that takes rows (imports, captures); conflict naming the way forward for a snapshot or a closed one. */
  openForRows(idOrName: string): DatasetRecord {
    const dataset = this.#dataset(idOrName);
    assertOpenForRows(dataset);
    return dataset;
  }

  /** Source datasets, newest first, a page after or before a dataset id. */
  list(q: PageQuery): { data: DatasetRecord[]; has_more: boolean } {
    return listDatasets(this.sql, q);
  }

  /**
   * A dataset with its row counts and its progress (tasks and spend): a snapshot's of the rows it
   * holds; `stalled` when its work is in flight and its lease lapsed (the sweeper will resume it);
   * a source's latest snapshot.
   */
  show(idOrName: string): {
    dataset: DatasetRecord;
    counts: DatasetCounts;
    progress: GenerationProgress;
    stalled: boolean;
    latest_snapshot: DatasetRecord | null;
  } {
    const dataset = this.#dataset(idOrName);
    const rows = rowsOf(dataset);
    return {
      dataset,
      counts: countRows(this.sql, rows.id, rows.through),
      progress: progress(this.sql, rows.id, rows.through),
      stalled: isStalled(dataset.status, dataset.lease_until, DATASET_IN_FLIGHT, nowMs()),
      latest_snapshot: dataset.snapshot_of ? null : latestSnapshot(this.sql, dataset.id),
    };
  }

  /** A page of rows in insertion order, optionally by split and status (a snapshot's: the rows it holds). */
  rows(idOrName: string, opts: PageQuery & { split?: Split; status?: RowStatus }): Page {
    const rows = rowsOf(this.#dataset(idOrName));
    return listRows(this.sql, rows.id, { ...opts, through: rows.through });
  }

  /** A source's snapshots, newest first, a page after or before a snapshot id; not_found for a snapshot. */
  snapshots(idOrName: string, q: PageQuery): { data: DatasetRecord[]; has_more: boolean } {
    const source = this.#dataset(idOrName);
    if (source.snapshot_of) throw new ApiError("not_found", `${source.name} is a snapshot; list the snapshots of its source ${source.snapshot_of}.`);
    return listSnapshots(this.sql, source.id, q);
  }

  /** The snapshot a job trains on: the dataset itself when a snapshot, else its source's latest ready one; conflict when there is none. */
  trainable(idOrName: string): DatasetRecord {
    const dataset = this.#dataset(idOrName);
    if (dataset.snapshot_of) return dataset;
    const snapshot = latestSnapshot(this.sql, dataset.id, "ready");
    // A dataset made ready before snapshots existed holds its files itself: it is its own snapshot.
    if (!snapshot && dataset.status === "ready" && dataset.files) return dataset;
    if (!snapshot) {
      throw new ApiError("conflict", `Dataset ${dataset.name} is ${dataset.status} and has no snapshot yet; a job needs a ready dataset (freeze it).`, {
        details: { dataset: dataset.id, status: dataset.status },
      });
    }
    return snapshot;
  }

  /** Stops the dataset's pending work (repeat-safe); answers the dataset after. A snapshot has none. */
  cancel(idOrName: string): DatasetRecord {
    const dataset = this.#dataset(idOrName);
    if (dataset.snapshot_of) throw new ApiError("conflict", `${dataset.name} is a snapshot: it has no work to cancel (delete it instead).`);
    cancelDataset(this.sql, dataset.id);
    return getDataset(this.sql, dataset.id)!;
  }

  /**
   * Freezes a dataset: a snapshot of its rows now (or its latest, when that holds the same rows).
   * `claimed`: the caller must write the snapshot's files (then `written` or `failed`).
   */
  async freeze(idOrName: string): Promise<{ snapshot: DatasetRecord; claimed: boolean }> {
    const taken = takeSnapshot(this.sql, this.#dataset(idOrName));
    if (taken.claimed) await registerInFlight(this.sql, this.env.TENANTS);
    return taken;
  }

  /** Records a snapshot's written files (JSON text): it is ready (and a generated source writing it); answers it. */
  written(id: string, files: string): DatasetRecord {
    return snapshotWritten(this.sql, id, files);
  }

  /** Marks a snapshot failed with why (its files could not be written), and a generated source writing it. */
  fail(id: string, error: string): void {
    snapshotFailed(this.sql, id, error);
  }

  /**
   * Retries a failed dataset: a snapshot's files are claimed for writing again; a source's steps
   * that gave up (and its tasks) are pending again and it is moved along. Answers what to do:
   * `write` a snapshot's files, `finalize` a source whose work is done, or `enqueue` its pending
   * work. Conflict unless it is failed.
   */
  async retry(idOrName: string): Promise<{ dataset: DatasetRecord; next: "write" | "finalize" | "enqueue"; pending: { chunks: string[]; questions: string[] } }> {
    const dataset = this.#dataset(idOrName);
    const none = { chunks: [], questions: [] };
    if (dataset.status !== "failed") {
      throw new ApiError("conflict", `Dataset ${dataset.name} is ${dataset.status}; only a failed dataset can be retried.`, { details: { status: dataset.status } });
    }
    await registerInFlight(this.sql, this.env.TENANTS);
    if (dataset.snapshot_of) {
      const { snapshot } = takeSnapshot(this.sql, dataset);
      return { dataset: snapshot, next: "write", pending: none };
    }
    const at = nowMs();
    this.sql.exec("UPDATE dataset_rows SET status = 'pending', reason = NULL, attempts = 0 WHERE dataset_id = ? AND status = 'failed' AND reason LIKE 'gave_up:%'", dataset.id);
    this.sql.exec("UPDATE gen_tasks SET status = 'pending', error = NULL, attempts = 0 WHERE dataset_id = ? AND status = 'failed' AND error LIKE 'gave_up:%'", dataset.id);
    // Back in flight with a fresh lease and no recoveries counted; advance picks the status its work calls for.
    this.sql.exec("UPDATE datasets SET status = 'generating', error = NULL, recoveries = 0, lease_until = ? WHERE id = ?", at + DATASET_LEASE_MS, dataset.id);
    const { finalize } = advance(this.sql, dataset.id);
    const after = getDataset(this.sql, dataset.id)!;
    if (finalize) return { dataset: after, next: "finalize", pending: none };
    return { dataset: after, next: "enqueue", pending: pendingWork(this.sql, dataset.id, 10_000) };
  }

  /** Deletes a dataset with its rows; answers the R2 keys of its files, to delete. */
  delete(idOrName: string): { id: string; files: string[] } {
    const { id } = this.#dataset(idOrName);
    return { id, files: deleteDataset(this.sql, id) };
  }

  /**
   * Stages a page of an import's rows, invisible to reads until `commitImport` (the first page of
   * an import also sweeps rows an import killed mid-way left behind). not_found before anything is written.
   */
  stageImport(importId: string, datasetId: string, firstSeq: number, rows: StagedRow[]): void {
    const dataset = this.#dataset(datasetId);
    assertOpenForRows(dataset);
    if (firstSeq === 0) sweepStaged(this.sql);
    stageRows(this.sql, importId, dataset.id, firstSeq, rows);
  }

  /**
   * Adds every staged row of an import to its dataset at once; answers how many were new and which
   * lines were duplicates. Conflict (the way forward named) when the dataset was closed meanwhile.
   */
  commitImport(importId: string, datasetId: string): CommittedImport {
    const dataset = this.#dataset(datasetId);
    assertOpenForRows(dataset);
    return commitStaged(this.sql, importId, dataset.id);
  }

  /** Drops an import's staged rows (it failed or was refused): nothing of it is left. */
  discardImport(importId: string): void {
    discardStaged(this.sql, importId);
  }

  /** Rows staged and not committed (of one import, or all): none once every import has ended. */
  staged(importId?: string): number {
    return stagedCount(this.sql, importId);
  }

  /**
   * Adds a captured example, its split decided by its id; not_found before anything is written. Aimed
   * at a closed dataset (a snapshot, a cancelled one): synchronously a 409 naming the way forward;
   * arriving through a queue (`queued`, nobody waiting to be told) it is recorded `rejected` with
   * reason `closed` — in a snapshot's source, since a snapshot never changes — never dropped silently.
   */
  capture(idOrName: string, row: Omit<NewRow, "split">, opts: { queued?: boolean } = {}): Promise<StoredCapture> {
    return storeCapture(this.sql, idOrName, row, opts);
  }

  /** A row by id (a captured prompt awaiting the teacher); null when gone. */
  row(rowId: string): RowRecord | null {
    return getRow(this.sql, rowId);
  }

  /** Labels a captured row still pending (the teacher's answer); false when it was labeled already. */
  labelCaptured(rowId: string, label: RowLabel): boolean {
    return labelPendingRow(this.sql, rowId, label);
  }

  /** A page of labeled examples (for the JSONL files, exports and validation), in the order added. */
  labeled(datasetId: string, opts: PageQuery & { split?: Split }): Page {
    const dataset = this.#dataset(datasetId);
    // Pages read while a snapshot is written are its writer's heartbeat (no extra round trip).
    if (dataset.status === "writing") renewLease(this.sql, dataset.id);
    const rows = rowsOf(dataset);
    return listRows(this.sql, rows.id, { ...opts, status: "labeled", through: rows.through });
  }

  #dataset(idOrName: string): DatasetRecord {
    const dataset = getDataset(this.sql, idOrName);
    if (!dataset) throw new ApiError("not_found", `No dataset ${idOrName}.`);
    return dataset;
  }
}
surface(DatasetsSurface, "datasets");
