import { tenantStub } from "../durable/tenant";
import type { Bindings } from "../env";

const PAGE = 500;

/** A dataset's labeled examples (JSON text and stored token count), in the order added, page by page: never all in memory. */
export async function* labeledExamples(
  env: Bindings,
  tenantId: string,
  datasetId: string,
  split?: "train" | "eval",
): AsyncGenerator<{ line: number; text: string; tokens: number | null }> {
  const stub = tenantStub(env, tenantId);
  let cursor: number | undefined;
  let line = 0;
  for (;;) {
    const page = await stub.listRows(datasetId, { status: "labeled", split, limit: PAGE, cursor });
    for (const row of page.data) if (row.example) yield { line: ++line, text: row.example, tokens: row.tokens };
    if (page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
}

/** The labeled examples of one split, parsed, as the fine-tuning validation report reads them. */
export async function* examplesToValidate(
  env: Bindings,
  tenantId: string,
  datasetId: string,
  split: "train" | "eval",
): AsyncGenerator<{ line: number; example: unknown; tokens: number | null }> {
  for await (const r of labeledExamples(env, tenantId, datasetId, split)) yield { line: r.line, example: JSON.parse(r.text) as unknown, tokens: r.tokens };
}
