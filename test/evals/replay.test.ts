import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import type { RowRecord } from "../../src/durable/tenant/datasets";
import { referenceOutput, replayer, schemaValidity } from "../../src/evals";
import { loadCatalog, resolveModel } from "../../src/llm";
import { albumProgram } from "../programs/fixtures";
import { api, bindings, createTenant } from "../helpers/api";
import { drainDataset, generatedDataset } from "../helpers/datasets";
import { CITATION_CONTEXT, CITATIONS_SCHEMA } from "../emulator/fixtures";

const teacher = () => resolveModel(loadCatalog(bindings), loadCatalog(bindings).defaults.teacher);

/** A row as an import or a capture without a program stores it. */
function importedRow(example: Record<string, unknown>): RowRecord {
  return {
    id: `row_${crypto.randomUUID()}`,
    dataset_id: "ds_test",
    source: "import",
    status: "labeled",
    reason: null,
    split: "eval",
    question: null,
    example: JSON.stringify(example),
    tokens: null,
    program: null,
    program_version: null,
    model: null,
    usage: null,
    chunk_ids: null,
    created_at: "",
    updated_at: "",
  };
}

const userTurn = { role: "user", content: `Context:\n${CITATION_CONTEXT}\n\nQuestion: Which works does the text cite about scaling?` };

describe("replaying a dataset row", () => {
  it("replays an imported row's stored messages with its tools, asking for the tool its answer called", async () => {
    const t = await createTenant();
    using tenant = openTenant(bindings, t.id);
    const row = importedRow({
      messages: [userTurn, { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "cited_works", arguments: '{"citations":[]}' } }] }],
      tools: [{ type: "function", function: { name: "cited_works", parameters: CITATIONS_SCHEMA } }],
      parallel_tool_calls: false,
    });
    const r = await replayer(bindings, tenant, { requestId: "replay-tools" })(row, teacher());
    expect(r.schema).toEqual(CITATIONS_SCHEMA);
    expect(r.output).toEqual(JSON.parse(r.raw!));
    expect((r.output as { citations: Array<{ author: string }> }).citations.map((c) => c.author)).toContain("Kaplan et al.");
    expect(schemaValidity({ schema: r.schema, output: r.output }).score).toBe(1);
    expect(r.usage.calls).toBe(1);
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
    expect(r.contexts).toEqual([]);
    expect(referenceOutput(row)).toEqual({ citations: [] });
  });

  it("replays a row's response_format, and a prose row as prose", async () => {
    const t = await createTenant();
    using tenant = openTenant(bindings, t.id);
    const replayRow = replayer(bindings, tenant, { requestId: "replay-format" });
    const structured = importedRow({
      messages: [userTurn, { role: "assistant", content: '{"citations":[]}' }],
      response_format: { type: "json_schema", json_schema: { name: "cited_works", schema: CITATIONS_SCHEMA } },
    });
    const json = await replayRow(structured, teacher());
    expect(json.schema).toEqual(CITATIONS_SCHEMA);
    expect(json.output).toMatchObject({ citations: expect.any(Array) });
    expect(referenceOutput(structured)).toEqual({ citations: [] });

    const prose = importedRow({ messages: [userTurn, { role: "assistant", content: "Kaplan et al. (2020) studied scaling." }] });
    const text = await replayRow(prose, teacher());
    expect(typeof text.output).toBe("string");
    expect(text.output).toContain("Kaplan");
    expect(text.schema).toBeNull();
    expect(referenceOutput(prose)).toBe("Kaplan et al. (2020) studied scaling.");
  });

  it("replays a program's row through the row's program version over the row's chunks, after the program has changed", async () => {
    const { t, base } = await generatedDataset();
    await drainDataset(t, base.dataset_id);
    using tenant = openTenant(bindings, t.id);
    const row = (await tenant.datasets.rows(base.dataset_id, { status: "labeled", limit: 1 })).data[0]!;
    expect(row.program_version).toBe(1);
    // Version 2 of "citations" answers a different schema altogether.
    const v2 = await api("/api/programs/citations", { method: "PUT", key: t.key, json: { ...albumProgram("tools", "citations"), prompt_template: "{context_str} {query_str}" } });
    expect(v2.status).toBe(200);
    const r = await replayer(bindings, tenant, { requestId: "replay-program" })(row, teacher());
    expect(Object.keys(r.output as object)).toEqual(["citations"]);
    expect(r.output).toEqual(referenceOutput(row));
    expect(r.contexts).toHaveLength(row.chunk_ids!.length);
    expect(r.contexts[0]).toMatch(/^title: Harbour\n\n/);
    expect(r.repaired).toBe(false);
  });

  it("replays a row whose program was deleted through its stored prompt and tool", async () => {
    const { t, base } = await generatedDataset();
    await drainDataset(t, base.dataset_id);
    using tenant = openTenant(bindings, t.id);
    const row = (await tenant.datasets.rows(base.dataset_id, { status: "labeled", limit: 1 })).data[0]!;
    expect((await api("/api/programs/citations", { method: "DELETE", key: t.key })).status).toBe(200);
    const r = await replayer(bindings, tenant, { requestId: "replay-deleted" })(row, teacher());
    expect(r.output).toEqual(referenceOutput(row));
    expect(r.schema).toMatchObject({ properties: { citations: expect.any(Object) } });
    expect(r.usage.calls).toBe(1);
  });
});
