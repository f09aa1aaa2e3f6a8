import { tenantStub } from "../durable/tenant";
import type { Bindings } from "../env";
import { embedTexts } from "../ingest/embed";
import { recordUsage } from "../usage/record";
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

/**
 * The tenant's `topK` chunks most similar to `query`, best first, with their text
 * (read from the tenant's own database by vector id). Only that tenant's index is
 * searched; chunks of documents deleted since they were indexed are dropped.
 */
export async function retrieve(
  env: Bindings,
  tenantId: string,
  opts: { query: string; topK: number; filter?: MetadataFilter; requestId: string },
): Promise<RetrievedSource[]> {
  const { vectors, usage } = await embedTexts(env, [opts.query], opts.requestId);
  await recordUsage(env, tenantId, [usage]);
  const matches = await vectorIndexFor(env, tenantId).query(vectors[0]!, { topK: opts.topK, filter: opts.filter });
  if (matches.length === 0) return [];
  const chunks = await tenantStub(env, tenantId).getChunks(matches.map((m) => m.id));
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
