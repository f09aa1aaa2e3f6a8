import type { FileStore } from "../files/store";

/** OpenAI's limits: an Upload takes at most 8 GB in parts of at most 64 MB, for an hour. */
export const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;
export const MAX_PART_BYTES = 64 * 1024 ** 2;
export const UPLOAD_TTL_S = 3600;

export interface UploadRecord {
  id: string;
  bytes: number;
  created_at: number;
  expires_at: number;
  filename: string;
  purpose: string;
  mime_type: string;
  status: "pending" | "completed" | "cancelled";
  /** Parts received, in arrival order (kept as internal files until completion). */
  parts: Array<{ id: string; bytes: number; created_at: number }>;
  file_id: string | null;
}

/** Uploads in SQLite; their parts' bytes live in the file store as internal files. */
export class UploadStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly files: FileStore,
  ) {}

  get(id: string): UploadRecord | undefined {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM uploads WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.record) as UploadRecord) : undefined;
  }

  insert(u: UploadRecord): void {
    this.sql.exec("INSERT INTO uploads (id, record) VALUES (?, ?)", u.id, JSON.stringify(u));
  }

  save(u: UploadRecord): void {
    this.sql.exec("UPDATE uploads SET record = ? WHERE id = ?", JSON.stringify(u), u.id);
  }

  addPart(u: UploadRecord, partId: string, data: Uint8Array, now: number): UploadRecord["parts"][number] {
    this.files.create(partId, `${u.filename}.part`, "upload-part", data, now, "internal");
    const part = { id: partId, bytes: data.byteLength, created_at: now };
    u.parts.push(part);
    this.save(u);
    return part;
  }

  /** The parts' bytes joined in the given order. */
  join(partIds: string[]): Uint8Array {
    const chunks = partIds.map((id) => this.files.bytes(id));
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }

  /** Forgets the parts' bytes once they are joined (or the upload is cancelled). */
  dropParts(u: UploadRecord): void {
    for (const p of u.parts) this.files.delete(p.id);
  }
}
