/** Files in SQLite. Contents are split in 1 MB rows: a Durable Object's SQLite value tops out near 2 MB. */

const CHUNK_BYTES = 1_000_000;

/** Which API a file belongs to: each provider lists and uses only its own files. */
export type FileOwner = "openai" | "together" | "fireworks" | "internal";

export interface FileRecord {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  created_at: number;
  provider: FileOwner;
}

interface FileRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  created_at: number;
  chunks: number;
  provider: string;
}

const record = (r: FileRow): FileRecord => ({ id: r.id, filename: r.filename, purpose: r.purpose, bytes: r.bytes, created_at: r.created_at, provider: r.provider as FileOwner });

/** OpenAI's file object. */
export function fileObject(f: FileRecord) {
  return {
    id: f.id,
    object: "file" as const,
    bytes: f.bytes,
    created_at: f.created_at,
    filename: f.filename,
    purpose: f.purpose,
    status: "processed" as const,
    status_details: null,
    expires_at: null,
  };
}

export class FileStore {
  constructor(private readonly sql: SqlStorage) {}

  create(id: string, filename: string, purpose: string, data: Uint8Array, createdAt: number, provider: FileOwner = "openai"): FileRecord {
    const chunks = Math.max(1, Math.ceil(data.byteLength / CHUNK_BYTES));
    for (let i = 0; i < chunks; i++) {
      const part = data.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
      this.sql.exec("INSERT INTO file_chunks (file_id, idx, data) VALUES (?, ?, ?)", id, i, part.buffer);
    }
    this.sql.exec(
      "INSERT INTO files (id, filename, purpose, bytes, created_at, chunks, provider) VALUES (?, ?, ?, ?, ?, ?, ?)",
      id,
      filename,
      purpose,
      data.byteLength,
      createdAt,
      chunks,
      provider,
    );
    return { id, filename, purpose, bytes: data.byteLength, created_at: createdAt, provider };
  }

  get(id: string): FileRecord | undefined {
    const row = this.sql.exec<FileRow>("SELECT * FROM files WHERE id = ?", id).toArray()[0];
    return row ? record(row) : undefined;
  }

  /** Cursor paging like OpenAI's: `after` is a file id; newest first unless order is "asc". */
  list(opts: { purpose?: string; limit: number; after?: string; order: "asc" | "desc"; provider?: FileOwner }): { data: FileRecord[]; hasMore: boolean } {
    const desc = opts.order === "desc";
    const afterSeq = opts.after ? this.sql.exec<{ seq: number }>("SELECT seq FROM files WHERE id = ?", opts.after).toArray()[0]?.seq : undefined;
    const where: string[] = ["provider = ?"];
    const args: SqlStorageValue[] = [opts.provider ?? "openai"];
    if (opts.purpose) {
      where.push("purpose = ?");
      args.push(opts.purpose);
    }
    if (afterSeq !== undefined) {
      where.push(desc ? "seq < ?" : "seq > ?");
      args.push(afterSeq);
    }
    const rows = this.sql
      .exec<FileRow>(`SELECT * FROM files ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq ${desc ? "DESC" : "ASC"} LIMIT ?`, ...args, opts.limit + 1)
      .toArray();
    const data = rows.slice(0, opts.limit).map(record);
    return { data, hasMore: rows.length > opts.limit };
  }

  /** The contents as a stream of the stored chunks (read one at a time). */
  stream(id: string): ReadableStream<Uint8Array> {
    let idx = 0;
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        const row = this.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM file_chunks WHERE file_id = ? AND idx = ?", id, idx++).toArray()[0];
        if (row) controller.enqueue(new Uint8Array(row.data));
        else controller.close();
      },
    });
  }

  bytes(id: string): Uint8Array {
    const parts = this.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM file_chunks WHERE file_id = ? ORDER BY idx", id).toArray();
    const total = parts.reduce((n, p) => n + p.data.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.data), at);
      at += p.data.byteLength;
    }
    return out;
  }

  text(id: string): string {
    return new TextDecoder().decode(this.bytes(id));
  }

  delete(id: string): boolean {
    const existed = this.sql.exec("DELETE FROM files WHERE id = ?", id).rowsWritten > 0;
    this.sql.exec("DELETE FROM file_chunks WHERE file_id = ?", id);
    return existed;
  }
}
