import { splitFor } from "../../../datasets/split";
import { ApiError } from "../../../errors";
import { cancelDataset, claimFreeze, deleteDataset, progress, reopen, setDatasetStatus, type GenerationProgress } from "../dataset-state";
import {
  addRow,
  countRows,
  createDataset,
  getDataset,
  listDatasets,
  listRows,
  type DatasetCounts,
  type DatasetRecord,
  type NewRow,
  type RowRecord,
  type RowStatus,
  type Split,
} from "../datasets";
import { commitStaged, discardStaged, stagedCount, stageRows, type StagedRow, sweepStaged } from "../import-staging";
import { Surface, surface } from "./surface";

type Page = { data: RowRecord[]; next_cursor: number | null; rows_read: number };

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

  list(): DatasetRecord[] {
    return listDatasets(this.sql);
  }

  /** A dataset with its row counts and its progress (tasks and spend). */
  show(idOrName: string): { dataset: DatasetRecord; counts: DatasetCounts; progress: GenerationProgress } {
    const dataset = this.#dataset(idOrName);
    return { dataset, counts: countRows(this.sql, dataset.id), progress: progress(this.sql, dataset.id) };
  }

  /** A page of rows in insertion order, optionally by split and status. */
  rows(idOrName: string, opts: { split?: Split; status?: RowStatus; limit: number; cursor?: number }): Page {
    return listRows(this.sql, this.#dataset(idOrName).id, opts);
  }

  /** Stops the dataset's pending work (repeat-safe); answers the dataset after. */
  cancel(idOrName: string): DatasetRecord {
    const { id } = this.#dataset(idOrName);
    cancelDataset(this.sql, id);
    return getDataset(this.sql, id)!;
  }

  /** Claims an open dataset for writing its files: `claimed` when this caller moved it `open → writing`. */
  claimFreeze(idOrName: string): { dataset: DatasetRecord; claimed: boolean } {
    const { id } = this.#dataset(idOrName);
    const claimed = claimFreeze(this.sql, id);
    return { dataset: getDataset(this.sql, id)!, claimed };
  }

  /** Undoes a freeze claim whose files could not be written. */
  reopen(id: string): void {
    reopen(this.sql, id);
  }

  /** Records the written files (JSON text) and marks the dataset ready; answers it. */
  written(id: string, files: string): DatasetRecord {
    setDatasetStatus(this.sql, id, "ready", null, files);
    return this.#dataset(id);
  }

  /** Marks a dataset failed with why (its files could not be written). */
  fail(id: string, error: string): void {
    setDatasetStatus(this.sql, id, "failed", error);
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
    if (firstSeq === 0) sweepStaged(this.sql);
    stageRows(this.sql, importId, dataset.id, firstSeq, rows);
  }

  /** Adds every staged row of an import to its dataset at once; answers how many were new (the rest are duplicates). */
  commitImport(importId: string, datasetId: string): number {
    return commitStaged(this.sql, importId, this.#dataset(datasetId).id);
  }

  /** Drops an import's staged rows (it failed or was refused): nothing of it is left. */
  discardImport(importId: string): void {
    discardStaged(this.sql, importId);
  }

  /** Rows staged and not committed (of one import, or all): none once every import has ended. */
  staged(importId?: string): number {
    return stagedCount(this.sql, importId);
  }

  /** Adds a captured example, its split decided by its id; not_found before anything is written. */
  async capture(idOrName: string, row: Omit<NewRow, "split">): Promise<void> {
    const dataset = this.#dataset(idOrName);
    addRow(this.sql, dataset.id, { ...row, split: await splitFor(row.id, dataset.eval_fraction) });
  }

  /** A page of labeled examples (for the JSONL files, exports and validation), in the order added. */
  labeled(datasetId: string, opts: { split?: Split; limit: number; cursor?: number }): Page {
    return listRows(this.sql, datasetId, { ...opts, status: "labeled" });
  }

  #dataset(idOrName: string): DatasetRecord {
    const dataset = getDataset(this.sql, idOrName);
    if (!dataset) throw new ApiError("not_found", `No dataset ${idOrName}.`);
    return dataset;
  }
}
surface(DatasetsSurface, "datasets");
