import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../../auth/middleware";
import { parseJsonl, planImport } from "../../datasets/import";
import { examplesToValidate, labeledExamples } from "../../datasets/rows";
import { fineTunableBase } from "../../jobs/prepare";
import { splitFor } from "../../datasets/split";
import { validateDataset } from "../../datasets/validate";
import { openTenant } from "../../durable/tenant";
import type { NewRow } from "../../durable/tenant/datasets";
import { ApiError } from "../../errors";
import { sha256Hex } from "../../lib/ids";
import { countChatTokens, fineTuneProviderSchema, loadCatalog, resolveModel } from "../../llm";
import { createRouter } from "../../openapi/router";
import { errorResponses, idParams, jsonContent, TENANT_SECURITY } from "../../openapi/schemas";


/** Duplicate lines an import's answer lists (their count is always complete). */
const MAX_DUPLICATE_LINES = 100;

export const datasetDataRoutes = createRouter();

datasetDataRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/import",
    tags: ["datasets"],
    summary: "Import examples from JSONL (every bad line reported with its number; all or nothing unless skip_invalid)",
    security: TENANT_SECURITY,
    request: {
      params: idParams,
      query: z.object({ skip_invalid: z.enum(["true", "false"]).default("false") }),
      body: { required: false, content: { "application/x-ndjson": { schema: z.string() }, "application/jsonl": { schema: z.string() }, "text/plain": { schema: z.string() } } },
    },
    responses: {
      200: jsonContent(
        z.object({
          imported: z.number(),
          duplicates: z.number().openapi({ description: "Lines not added because the same example is already there: already_in_dataset + in_file" }),
          duplicates_already_in_dataset: z.number().openapi({ description: "Lines the dataset already had (an earlier import of the same line)" }),
          duplicates_in_file: z.number().openapi({ description: "Lines that repeat an earlier line of this file" }),
          duplicate_lines: z
            .array(z.object({ line: z.number(), row_id: z.string(), first_line: z.number().optional() }))
            .openapi({ description: `The first ${MAX_DUPLICATE_LINES} duplicate lines: the row they duplicate, and for a repeat within the file the line it repeats` }),
          skipped: z.number(),
          skipped_blank: z.number(),
          rejected: z.array(z.unknown()),
        }),
        "What was imported",
      ),
      ...errorResponses(400, 401, 404, 409, 413),
    },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    // A snapshot (or a cancelled dataset) takes no rows: 409 naming the way forward, before the body is read.
    const dataset = await tenant.datasets.openForRows(c.req.valid("param").id);
    // An Idempotency-Key has already read the body (and cached it): stream from the cache then.
    const body = c.req.raw.bodyUsed ? new Response(await c.req.arrayBuffer()).body : c.req.raw.body;
    if (!body) throw new ApiError("bad_request", "The request has no body: send the JSONL file.");
    const maxBytes = Number(c.env.MAX_DOCUMENT_BYTES) || 50 * 1024 * 1024;
    const plan = planImport(await parseJsonl(body, { maxBytes }), { skipInvalid: c.req.valid("query").skip_invalid === "true" });
    const catalog = loadCatalog(c.env);
    const encoding = resolveModel(catalog, catalog.defaults.teacher).encoding;
    const rows: NewRow[] = [];
    const lineOf = new Map<string, number>();
    const inFile: { line: number; row_id: string; first_line: number }[] = [];
    for (const line of plan.accept) {
      // The id is the line's content: importing the same line again adds nothing.
      const id = `imp_${(await sha256Hex(`${dataset.id}\n${line.text}`)).slice(0, 24)}`;
      const first = lineOf.get(id);
      if (first !== undefined) {
        inFile.push({ line: line.line, row_id: id, first_line: first });
        continue;
      }
      lineOf.set(id, line.line);
      const example = line.example as { messages: Parameters<typeof countChatTokens>[0]; tools?: Parameters<typeof countChatTokens>[1] };
      const { tokens } = await countChatTokens(example.messages, example.tools, encoding);
      rows.push({
        id,
        source: "import",
        status: "labeled",
        reason: null,
        split: await splitFor(id, dataset.eval_fraction),
        question: null,
        example: line.text,
        tokens,
        program: null,
        program_version: null,
        model: null,
        usage: null,
        chunk_ids: null,
      });
    }
    const { added, existing } = await tenant.datasets.addRows(dataset.id, rows);
    const inDataset = existing.map((id) => ({ line: lineOf.get(id)!, row_id: id }));
    const duplicateLines = [...inDataset, ...inFile].sort((a, b) => a.line - b.line).slice(0, MAX_DUPLICATE_LINES);
    return c.json(
      {
        imported: added,
        duplicates: inDataset.length + inFile.length,
        duplicates_already_in_dataset: inDataset.length,
        duplicates_in_file: inFile.length,
        duplicate_lines: duplicateLines,
        skipped: plan.skipped,
        skipped_blank: plan.skipped_blank,
        rejected: plan.rejected,
      },
      200,
    );
  },
);

datasetDataRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/export",
    tags: ["datasets"],
    summary: "Every labeled example as JSONL, in the order added (an imported file comes back identically)",
    security: TENANT_SECURITY,
    request: { params: idParams },
    responses: { 200: { description: "JSONL (application/x-ndjson)" }, ...errorResponses(401, 404) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const dataset = await tenant.datasets.get(c.req.valid("param").id);
    // The body streams after the handler returns (and the request's handle is disposed): it reads
    // through a handle of its own, disposed when the stream ends or is cancelled.
    const own = openTenant(c.env, tenant.id);
    const lines = labeledExamples(own, dataset.id);
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) {
          controller.close();
          own[Symbol.dispose]();
        } else controller.enqueue(encoder.encode(`${next.value.text}\n`));
      },
      async cancel() {
        await lines.return(undefined);
        own[Symbol.dispose]();
      },
    });
    return new Response(stream, {
      headers: {
        "Content-Type": "application/x-ndjson",
        "Content-Disposition": `attachment; filename="${dataset.name}.jsonl"`,
        "Cache-Control": "private, no-store",
      },
    });
  },
);

datasetDataRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/validation",
    tags: ["datasets"],
    summary: "Fine-tuning validation report of the train split: format checks, tokens, epochs, estimated cost",
    security: TENANT_SECURITY,
    request: {
      params: idParams,
      query: z.object({
        provider: fineTuneProviderSchema.default("openai"),
        base_model: z.string().optional(),
        epochs: z.union([z.literal("auto"), z.coerce.number().int().min(1).max(50)]).default("auto"),
      }),
    },
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()), "The report"), ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const dataset = await tenant.datasets.get(c.req.valid("param").id);
    const { provider, base_model, epochs } = c.req.valid("query");
    const { spec, base } = fineTunableBase(loadCatalog(c.env), provider, base_model);
    const report = await validateDataset(examplesToValidate(tenant, dataset.id, "train"), { baseModel: base, provider, epochs, spec });
    return c.json({ dataset: dataset.id, split: "train", ...report } as Record<string, unknown>, 200);
  },
);
