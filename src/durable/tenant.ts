import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { migrate } from "./sql-migrations";
import {
  beginIdempotent,
  completeIdempotent,
  releaseIdempotent,
  type IdempotencyBegin,
  type StoredResponse,
} from "./tenant/idempotency";
import {
  chunkIds,
  chunksToEmbed,
  chunkStats,
  createDocument,
  findByDedupe,
  getChunks,
  getDocument,
  listDocuments,
  markDeleted,
  markEmbedded,
  putChunks,
  removeDocument,
  updateDocument,
  type ChunkRow,
  type DocumentPatch,
  type DocumentRecord,
  type DocumentStatus,
  type NewDocument,
  type RetrievedChunk,
} from "./tenant/documents";
import {
  addRow,
  countRows,
  createDataset,
  getDataset,
  listDatasets,
  listRows,
  type DatasetConfig,
  type DatasetRecord,
  type DatasetStatus,
  type NewRow,
  type RowStatus,
  type Split,
} from "./tenant/datasets";
import {
  createProgram,
  deleteProgram,
  getProgram,
  listPrograms,
  updateProgram,
  type ProgramRecord,
  type ProgramSpec,
} from "./tenant/programs";
import { advance, cancelDataset, claimFreeze, deleteDataset, pendingWork, progress, reopen, setDatasetStatus } from "./tenant/dataset-state";
import {
  addGenTasks,
  addRowCost,
  chunkForQuestions,
  chunkRefs,
  completeLabel,
  failGenTask,
  finishGenTask,
  lastError,
  questionRow,
  readyDocuments,
  recordAttempt,
  recordGenAttempt,
  type CallCost,
  type LabelOutcome,
  type NewQuestion,
} from "./tenant/generation";
import { acquireLeases, leasesHeld, releaseLeases } from "./tenant/leases";
import { recordUsage, usageBetween, type UsageEntry, type UsageRow } from "./tenant/usage";
import { checkKey, insertKey, listKeys, revokeKey, type KeyInfo, type NewKeyRow } from "./tenant/keys";
import { TENANT_MIGRATIONS } from "./tenant/schema";
import { claimJob, getJobSummary, jobByProviderJob, listJobSummaries, updateJobSummary, type JobSummary } from "./tenant/jobs";
import { modelRegistry, registerModel, type NewRegisteredModel, type RegisteredModel } from "./tenant/models";
import { configureClock, now, nowIso, nowMs } from "../lib/clock";

/** A tenant's own defaults; each issue adds its section. */
export interface TenantSettings {
  chunking?: { chunk_size?: number; chunk_overlap?: number; encoding?: "cl100k_base" | "o200k_base" };
}

export interface TenantInfo {
  id: string;
  name: string;
  created_at: string;
  settings: TenantSettings;
}

/**
 * One tenant's own database (SQLite): settings and keys now; documents,
 * programs and datasets join as their issues land. Addressed by tenant id.
 */
export class Tenant extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    configureClock(env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => migrate(this.sql, TENANT_MIGRATIONS));
  }

  /** Creates the tenant record once; a repeat returns the existing record. */
  async create(info: { id: string; name: string; created_at: string }): Promise<TenantInfo> {
    this.sql.exec(
      "INSERT OR IGNORE INTO tenant (id, name, created_at) VALUES (?, ?, ?)",
      info.id,
      info.name,
      info.created_at,
    );
    return (await this.info())!;
  }

  async info(): Promise<TenantInfo | null> {
    const row = this.sql.exec<Record<string, string>>("SELECT * FROM tenant LIMIT 1").toArray()[0];
    if (!row) return null;
    return {
      id: row.id!,
      name: row.name!,
      created_at: row.created_at!,
      settings: JSON.parse(row.settings ?? "{}") as TenantSettings,
    };
  }

  /** Merges a settings patch section by section; a null section is removed. */
  async updateSettings(patch: { [K in keyof TenantSettings]?: TenantSettings[K] | null }): Promise<TenantSettings> {
    const current = (await this.info())?.settings ?? {};
    const next: Record<string, unknown> = { ...current };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k];
      else if (v !== undefined) next[k] = v;
    }
    this.sql.exec("UPDATE tenant SET settings = ?", JSON.stringify(next));
    return next as TenantSettings;
  }

  async addKey(row: NewKeyRow): Promise<void> {
    insertKey(this.sql, row);
  }

  async listKeys(): Promise<KeyInfo[]> {
    return listKeys(this.sql);
  }

  async revokeKey(id: string): Promise<{ key: KeyInfo; hash: string } | null> {
    return revokeKey(this.sql, id, nowIso());
  }

  async checkKey(id: string, hash: string): Promise<boolean> {
    return checkKey(this.sql, id, hash, now());
  }

  // --- documents and chunks (ingest) ---

  async createDocument(doc: NewDocument): Promise<{ created: boolean; document: DocumentRecord }> {
    return createDocument(this.sql, doc);
  }

  async findDocumentByDedupe(dedupeKey: string): Promise<DocumentRecord | null> {
    return findByDedupe(this.sql, dedupeKey);
  }

  async removeDocument(id: string): Promise<void> {
    removeDocument(this.sql, id);
  }

  async getDocument(id: string): Promise<DocumentRecord | null> {
    return getDocument(this.sql, id);
  }

  async listDocuments(opts: { limit: number; cursor?: number; status?: DocumentStatus }) {
    return listDocuments(this.sql, opts);
  }

  async updateDocument(id: string, patch: DocumentPatch): Promise<DocumentRecord | null> {
    return updateDocument(this.sql, id, patch);
  }

  async putChunks(documentId: string, chunks: ChunkRow[]): Promise<void> {
    putChunks(this.sql, documentId, chunks);
  }

  async chunksToEmbed(documentId: string, limit: number): Promise<ChunkRow[]> {
    return chunksToEmbed(this.sql, documentId, limit);
  }

  async markEmbedded(ids: string[]): Promise<void> {
    markEmbedded(this.sql, ids);
  }

  async chunkIds(documentId: string): Promise<string[]> {
    return chunkIds(this.sql, documentId);
  }

  async chunkStats(documentId: string) {
    return chunkStats(this.sql, documentId);
  }

  async getChunks(ids: string[]): Promise<RetrievedChunk[]> {
    return getChunks(this.sql, ids);
  }

  async markDocumentDeleted(id: string): Promise<void> {
    markDeleted(this.sql, id);
  }

  // --- programs ---

  async createProgram(name: string, spec: ProgramSpec): Promise<ProgramRecord | null> {
    return createProgram(this.sql, name, spec);
  }

  async updateProgram(name: string, spec: ProgramSpec) {
    return updateProgram(this.sql, name, spec);
  }

  async getProgram(name: string, version?: number): Promise<ProgramRecord | null> {
    return getProgram(this.sql, name, version);
  }

  async listPrograms(): Promise<ProgramRecord[]> {
    return listPrograms(this.sql);
  }

  async deleteProgram(name: string): Promise<boolean> {
    return deleteProgram(this.sql, name);
  }

  // --- usage ---

  async recordUsage(entries: UsageEntry[]): Promise<void> {
    const at = now();
    for (const e of entries) recordUsage(this.sql, e, at);
  }

  async usage(from: string, to: string): Promise<UsageRow[]> {
    return usageBetween(this.sql, from, to);
  }

  // --- datasets ---

  async createDataset(d: { id: string; name: string; status: DatasetStatus; eval_fraction: number; config: DatasetConfig }): Promise<DatasetRecord | null> {
    return createDataset(this.sql, d);
  }

  async getDataset(idOrName: string): Promise<DatasetRecord | null> {
    return getDataset(this.sql, idOrName);
  }

  async listDatasets(): Promise<DatasetRecord[]> {
    return listDatasets(this.sql);
  }

  async addRow(datasetId: string, row: NewRow): Promise<boolean> {
    return addRow(this.sql, datasetId, row);
  }

  /** Adds rows in one transaction (an import is all or nothing); returns how many were new. */
  async addRows(datasetId: string, rows: NewRow[]): Promise<number> {
    let added = 0;
    for (const row of rows) if (addRow(this.sql, datasetId, row)) added++;
    return added;
  }

  async countRows(datasetId: string) {
    return countRows(this.sql, datasetId);
  }

  async listRows(datasetId: string, opts: { split?: Split; status?: RowStatus; limit: number; cursor?: number }) {
    return listRows(this.sql, datasetId, opts);
  }

  // --- dataset generation and labeling ---

  async readyDocuments(documentIds: string[] | null): Promise<string[]> {
    return readyDocuments(this.sql, documentIds);
  }

  async chunkRefs(documentIds: string[]): Promise<{ id: string; tokens: number }[]> {
    return chunkRefs(this.sql, documentIds);
  }

  /** Creates a dataset and its generation tasks together (a name clash → null, nothing written). */
  async startGeneration(
    d: { id: string; name: string; eval_fraction: number; config: DatasetConfig },
    chunkIds: string[],
  ): Promise<DatasetRecord | null> {
    const created = createDataset(this.sql, { ...d, status: "generating" });
    if (created) addGenTasks(this.sql, d.id, chunkIds);
    return created;
  }

  async chunkForQuestions(chunkId: string) {
    return chunkForQuestions(this.sql, chunkId);
  }

  async finishGenTask(datasetId: string, chunkId: string, questions: NewQuestion[], cost: CallCost, maxQuestions: number | null): Promise<string[]> {
    const dataset = getDataset(this.sql, datasetId);
    return dataset ? finishGenTask(this.sql, dataset, chunkId, questions, cost, maxQuestions) : [];
  }

  async failGenTask(datasetId: string, chunkId: string, error: string, cost?: CallCost): Promise<void> {
    failGenTask(this.sql, datasetId, chunkId, error, cost);
  }

  async recordGenAttempt(datasetId: string, chunkId: string, error: string): Promise<number> {
    return recordGenAttempt(this.sql, datasetId, chunkId, error);
  }

  async lastError(datasetId: string, id: string): Promise<string | null> {
    return lastError(this.sql, datasetId, id);
  }

  async questionRow(rowId: string) {
    return questionRow(this.sql, rowId);
  }

  async completeLabel(rowId: string, outcome: LabelOutcome): Promise<boolean> {
    return completeLabel(this.sql, rowId, outcome);
  }

  async recordAttempt(rowId: string, error: string): Promise<number> {
    return recordAttempt(this.sql, rowId, error);
  }

  async addRowCost(rowId: string, cost: number): Promise<void> {
    addRowCost(this.sql, rowId, cost);
  }

  async progress(datasetId: string) {
    return progress(this.sql, datasetId);
  }

  async advance(datasetId: string) {
    return advance(this.sql, datasetId);
  }

  async setDatasetStatus(datasetId: string, status: string, error: string | null, files?: string): Promise<void> {
    setDatasetStatus(this.sql, datasetId, status, error, files);
  }

  async pendingWork(datasetId: string, limit: number) {
    return pendingWork(this.sql, datasetId, limit);
  }

  async deleteDataset(datasetId: string): Promise<string[]> {
    return deleteDataset(this.sql, datasetId);
  }

  async claimFreeze(datasetId: string): Promise<boolean> {
    return claimFreeze(this.sql, datasetId);
  }

  async reopenDataset(datasetId: string): Promise<void> {
    reopen(this.sql, datasetId);
  }

  async cancelDataset(datasetId: string): Promise<void> {
    cancelDataset(this.sql, datasetId);
  }

  // --- concurrency leases ---

  async acquireLeases(name: string, holders: string[], max: number, ttlMs: number): Promise<string[]> {
    return acquireLeases(this.sql, name, holders, max, ttlMs, nowMs());
  }

  async releaseLeases(name: string, holders: string[]): Promise<void> {
    releaseLeases(this.sql, name, holders);
  }

  async leasesHeld(name: string): Promise<number> {
    return leasesHeld(this.sql, name, nowMs());
  }

  // --- fine-tune jobs and the model registry ---

  async claimJob(job: JobSummary): Promise<{ created: boolean; job: JobSummary }> {
    return claimJob(this.sql, job);
  }

  async updateJobSummary(patch: Pick<JobSummary, "id" | "state" | "provider_job_id" | "fine_tuned_model" | "updated_at">): Promise<void> {
    updateJobSummary(this.sql, patch);
  }

  async getJobSummary(id: string): Promise<JobSummary | null> {
    return getJobSummary(this.sql, id);
  }

  async jobByProviderJob(provider: string, providerJobId: string): Promise<JobSummary | null> {
    return jobByProviderJob(this.sql, provider, providerJobId);
  }

  async listJobs(opts: { limit: number; cursor?: string; state?: string }) {
    return listJobSummaries(this.sql, opts);
  }

  async registerModel(model: NewRegisteredModel): Promise<{ created: boolean; model: RegisteredModel }> {
    return registerModel(this.sql, model, nowIso());
  }

  async modelRegistry() {
    return modelRegistry(this.sql);
  }

  async idempotencyBegin(key: string, fingerprint: string): Promise<IdempotencyBegin> {
    return beginIdempotent(this.sql, key, fingerprint, nowMs());
  }

  async idempotencyComplete(key: string, response: StoredResponse): Promise<void> {
    completeIdempotent(this.sql, key, response);
  }

  async idempotencyRelease(key: string): Promise<void> {
    releaseIdempotent(this.sql, key);
  }
}

/** The stub of a tenant's Durable Object. */
export function tenantStub(env: Bindings, tenantId: string): DurableObjectStub<Tenant> {
  return env.TENANT.get(env.TENANT.idFromName(tenantId));
}
