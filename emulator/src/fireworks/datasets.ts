import type { FileStore } from "../files/store";
import { iso } from "../fine-tuning/provider-job";

export interface DatasetRecord {
  account: string;
  id: string;
  displayName: string;
  format: string;
  state: "UPLOADING" | "READY";
  exampleCount: number;
  /** Real ms: datasets belong to an account, not to a run's emulated clock. */
  createTime: number;
  updateTime: number;
  /** The uploaded contents in the file store, once uploaded. */
  fileId: string | null;
}

/** Fireworks' Dataset resource; int64 fields are strings, as proto3 JSON prints them. */
export function datasetObject(d: DatasetRecord) {
  return {
    name: `accounts/${d.account}/datasets/${d.id}`,
    displayName: d.displayName,
    createTime: iso(d.createTime),
    updateTime: iso(d.updateTime),
    state: d.state,
    status: { code: "OK", message: "" },
    format: d.format,
    exampleCount: String(d.exampleCount),
    userUploaded: {},
  };
}

/** Records (non-empty lines) in an uploaded JSONL file. */
export const countExamples = (text: string): number => text.split("\n").filter((l) => l.trim() !== "").length;

/** Fireworks datasets and pending signed-URL uploads, in SQLite. */
export class DatasetStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly files: FileStore,
  ) {}

  get(account: string, id: string): DatasetRecord | undefined {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM fw_datasets WHERE account = ? AND id = ?", account, id).toArray()[0];
    return row ? (JSON.parse(row.record) as DatasetRecord) : undefined;
  }

  insert(d: DatasetRecord): void {
    this.sql.exec("INSERT INTO fw_datasets (account, id, record) VALUES (?, ?, ?)", d.account, d.id, JSON.stringify(d));
  }

  save(d: DatasetRecord): void {
    this.sql.exec("UPDATE fw_datasets SET record = ? WHERE account = ? AND id = ?", JSON.stringify({ ...d, updateTime: Date.now() }), d.account, d.id);
  }

  /** Newest first. */
  list(account: string): DatasetRecord[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM fw_datasets WHERE account = ? ORDER BY seq DESC", account)
      .toArray()
      .map((r) => JSON.parse(r.record) as DatasetRecord);
  }

  delete(d: DatasetRecord): void {
    this.sql.exec("DELETE FROM fw_datasets WHERE account = ? AND id = ?", d.account, d.id);
    this.sql.exec("DELETE FROM signed_uploads WHERE account = ? AND dataset = ?", d.account, d.id);
    if (d.fileId) this.files.delete(d.fileId);
  }

  /** Stores the contents (replacing earlier ones) and marks the dataset READY. */
  attach(d: DatasetRecord, filename: string, data: Uint8Array): DatasetRecord {
    if (d.fileId) this.files.delete(d.fileId);
    const fileId = `fwds-${crypto.randomUUID()}`;
    this.files.create(fileId, filename, "fine-tune", data, Math.floor(Date.now() / 1000), "fireworks");
    const ready: DatasetRecord = { ...d, fileId, state: "READY", exampleCount: countExamples(new TextDecoder().decode(data)), updateTime: Date.now() };
    this.save(ready);
    return ready;
  }

  /** A signed-URL slot for one declared file. */
  addSignedUpload(token: string, d: DatasetRecord, filename: string, size: number): void {
    this.sql.exec(
      "INSERT INTO signed_uploads (token, account, dataset, filename, size, file_id) VALUES (?, ?, ?, ?, ?, NULL)",
      token,
      d.account,
      d.id,
      filename,
      size,
    );
  }

  signedUpload(token: string): { token: string; account: string; dataset: string; filename: string; size: number; file_id: string | null } | undefined {
    return this.sql.exec<{ token: string; account: string; dataset: string; filename: string; size: number; file_id: string | null }>("SELECT * FROM signed_uploads WHERE token = ?", token).toArray()[0];
  }

  /** Keeps PUT bytes as an internal file until :validateUpload joins them into the dataset. */
  receiveSigned(token: string, filename: string, data: Uint8Array): void {
    const previous = this.signedUpload(token)?.file_id;
    if (previous) this.files.delete(previous);
    const fileId = `fwput-${crypto.randomUUID()}`;
    this.files.create(fileId, filename, "upload-part", data, Math.floor(Date.now() / 1000), "internal");
    this.sql.exec("UPDATE signed_uploads SET file_id = ? WHERE token = ?", fileId, token);
  }

  /** The dataset's signed slots, by file name. */
  signedUploads(d: DatasetRecord): Array<{ token: string; filename: string; size: number; file_id: string | null }> {
    return this.sql
      .exec<{ token: string; filename: string; size: number; file_id: string | null }>("SELECT token, filename, size, file_id FROM signed_uploads WHERE account = ? AND dataset = ? ORDER BY filename", d.account, d.id)
      .toArray();
  }

  clearSigned(d: DatasetRecord): void {
    for (const slot of this.signedUploads(d)) if (slot.file_id) this.files.delete(slot.file_id);
    this.sql.exec("DELETE FROM signed_uploads WHERE account = ? AND dataset = ?", d.account, d.id);
  }
}
