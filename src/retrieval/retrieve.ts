import type { TenantHandle } from "../durable/tenant";
import type { RetrievedChunk } from "../durable/tenant/documents";
import type { Bindings } from "../env";
import { embedTexts } from "../ingest/embed";
import { queueUsage } from "../usage/queue";
import type { CallUsage } from "../usage/record";
import { vectorIndexFor, type MetadataFilter } from "../vector";

export interface RetrievedSource {
  chunk_id: string;
  document_id: string;
  title: string;
  chunk_index: number;
  page: number | null;
  pages: { from: number; to: number } | null;
  score: number;
  text: string;
}

export interface RetrieveOptions {
  query: string;
  topK: number;
  filter?: MetadataFilter;
  requestId: string;
  /** Takes the embedding call's usage (the caller records it); without it, it is recorded here. */
  onCall?: (u: CallUsage) => void;
  /** Reads the matched chunks' text (default: the tenant's documents surface). */
  chunks?: (ids: string[]) => Promise<RetrievedChunk[]>;
}

/**
 * The tenant's `topK` chunks most similar to `query`, best first, with their text
 * (read from the tenant's own database by vector id). Only that tenant's index is
 * searched; chunks of documents deleted since they were indexed are dropped.
 */
export async function retrieve(env: Bindings, tenant: TenantHandle, opts: RetrieveOptions): Promise<RetrievedSource[]> {
  const { vectors, usage } = await embedTexts(env, [opts.query], opts.requestId);
  if (opts.onCall) opts.onCall(usage);
  else await queueUsage(env, { tenantId: tenant.id, requestId: opts.requestId }, [usage]);
  const matches = await vectorIndexFor(env, tenant.id).query(vectors[0]!, { topK: opts.topK, filter: opts.filter });
  if (matches.length === 0) return [];
  const ids = matches.map((m) => m.id);
  const chunks = await (opts.chunks ? opts.chunks(ids) : tenant.documents.chunks(ids));
  return toSources(matches, chunks);
}

/** Matches (best first) joined with their chunks' text; chunks gone since they were indexed are dropped. */
export function toSources(matches: ReadonlyArray<{ id: string; score: number }>, chunks: readonly RetrievedChunk[]): RetrievedSource[] {
  const byId = new Map(chunks.map((c) => [c.id, c]));
  return matches.flatMap((m) => {
    const c = byId.get(m.id);
    if (!c) return [];
    return [
      {
        chunk_id: c.id,
        document_id: c.document_id,
        title: c.title,
        chunk_index: c.idx,
        page: c.page_from,
        pages: c.page_from === null ? null : { from: c.page_from, to: c.page_to ?? c.page_from },
        score: m.score,
        text: c.text,
      },
    ];
  });
}
