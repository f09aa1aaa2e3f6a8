import type { JobSpec, JobState, Provider } from "./types";

interface JobRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  spec: string;
  state: string;
}

export interface StoredJob {
  spec: JobSpec;
  state: JobState;
}

const parse = (row: JobRow): StoredJob => ({ spec: JSON.parse(row.spec) as JobSpec, state: JSON.parse(row.state) as JobState });

/** Jobs in SQLite: the immutable spec and the small mutable state, as JSON. */
export class JobStore {
  constructor(private readonly sql: SqlStorage) {}

  insert(spec: JobSpec, state: JobState): void {
    this.sql.exec(
      "INSERT INTO jobs (id, run, model_name, spec, state, provider) VALUES (?, ?, ?, ?, ?, ?)",
      spec.id,
      spec.run,
      spec.modelName,
      JSON.stringify(spec),
      JSON.stringify(state),
      spec.provider ?? "openai",
    );
  }

  /** Newest first: one provider's jobs, optionally only those of one run. */
  byProvider(provider: Provider, run?: string): StoredJob[] {
    const rows = run
      ? this.sql.exec<JobRow>("SELECT seq, id, spec, state FROM jobs WHERE provider = ? AND run = ? ORDER BY seq DESC", provider, run)
      : this.sql.exec<JobRow>("SELECT seq, id, spec, state FROM jobs WHERE provider = ? ORDER BY seq DESC", provider);
    return rows.toArray().map(parse);
  }

  get(id: string): StoredJob | undefined {
    const row = this.sql.exec<JobRow>("SELECT seq, id, spec, state FROM jobs WHERE id = ?", id).toArray()[0];
    return row ? parse(row) : undefined;
  }

  delete(id: string): boolean {
    return this.sql.exec("DELETE FROM jobs WHERE id = ?", id).rowsWritten > 0;
  }

  saveState(id: string, state: JobState): void {
    this.sql.exec("UPDATE jobs SET state = ? WHERE id = ?", JSON.stringify(state), id);
  }

  /** The job whose fine-tuned model has this name (the final model; checkpoints share the prefix). */
  byModelName(name: string): StoredJob | undefined {
    const row = this.sql.exec<JobRow>("SELECT seq, id, spec, state FROM jobs WHERE model_name = ?", name).toArray()[0];
    return row ? parse(row) : undefined;
  }

  /** Newest first; `after` is a job id; `metadata` must match every given pair. */
  list(opts: { after?: string; limit: number; metadata: Record<string, string> }): { jobs: StoredJob[]; hasMore: boolean } {
    const afterSeq = opts.after ? this.sql.exec<{ seq: number }>("SELECT seq FROM jobs WHERE id = ?", opts.after).toArray()[0]?.seq : undefined;
    const rows = this.sql
      .exec<JobRow>(`SELECT seq, id, spec, state FROM jobs WHERE provider = 'openai' ${afterSeq !== undefined ? "AND seq < ?" : ""} ORDER BY seq DESC`, ...(afterSeq !== undefined ? [afterSeq] : []))
      .toArray();
    const filters = Object.entries(opts.metadata);
    const matching: StoredJob[] = [];
    for (const row of rows) {
      const job = parse(row);
      if (filters.every(([k, v]) => job.spec.metadata?.[k] === v)) matching.push(job);
      if (matching.length > opts.limit) break;
    }
    return { jobs: matching.slice(0, opts.limit), hasMore: matching.length > opts.limit };
  }

  all(): StoredJob[] {
    return this.byProvider("openai");
  }
}
