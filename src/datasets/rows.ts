import type { TenantHandle } from "../durable/tenant";

const PAGE = 500;

/** A dataset's labeled examples (JSON text and stored token count), in the order added, page by page: never all in memory. */
export async function* labeledExamples(
  tenant: TenantHandle,
  datasetId: string,
  split?: "train" | "eval",
): AsyncGenerator<{ line: number; text: string; tokens: number | null }> {
  let after: string | undefined;
  let line = 0;
  for (;;) {
    const page = await tenant.datasets.labeled(datasetId, { limit: PAGE, ...(split ? { split } : {}), ...(after ? { after } : {}) });
    for (const row of page.data) if (row.example) yield { line: ++line, text: row.example, tokens: row.tokens };
    if (!page.has_more) return;
    after = page.data.at(-1)!.id;
  }
}

/** The labeled examples of one split, parsed, as the fine-tuning validation report reads them. */
export async function* examplesToValidate(
  tenant: TenantHandle,
  datasetId: string,
  split: "train" | "eval",
): AsyncGenerator<{ line: number; example: unknown; tokens: number | null }> {
  for await (const r of labeledExamples(tenant, datasetId, split)) yield { line: r.line, example: JSON.parse(r.text) as unknown, tokens: r.tokens };
}
