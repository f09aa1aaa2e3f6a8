import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../../auth/middleware";
import { IMPORT_MAX_BYTES, IMPORT_MAX_LINES, streamImport } from "../../datasets/import";
import { examplesToValidate, labeledExamples } from "../../datasets/rows";
import { fineTunableBase } from "../../jobs/prepare";
import { splitFor } from "../../datasets/split";
import { validateDataset } from "../../datasets/validate";
import { openTenant } from "../../durable/tenant";
import { MAX_DUPLICATE_LINES, type StagedRow } from "../../durable/tenant/import-staging";
import { ApiError } from "../../errors";
import { newId, sha256Hex } from "../../lib/ids";
import { countChatTokens, fineTuneProviderSchema, loadCatalog, resolveModel } from "../../llm";
import { createRouter } from "../../openapi/router";
import { errorResponses, idParams, jsonContent, nameField, TENANT_SECURITY } from "../../openapi/schemas";



/** A JSONL file: one chat fine-tuning example per line. */
const jsonlBody = { schema: { type: "string" as const, description: "JSONL: one chat fine-tuning example per line" } };

export const datasetDataRoutes = createRouter();

/** Characters of JSONL an export writes per stream chunk. */
const EXPORT_CHUNK_CHARS = 64 * 1024;

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
      // Plain OpenAPI schemas, not zod: @hono/zod-openapi takes any media type starting `application/json`
      // for JSON (`application/jsonl` included), and a zod schema there makes it refuse JSONL with a 415.
      // The body is streamed and checked line by line by the handler, so nothing is lost.
      body: { required: false, content: { "application/x-ndjson": jsonlBody, "application/jsonl": jsonlBody, "text/plain": jsonlBody } },
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
    // Over the limit by its declared length: refused before anything is read.
    const declared = Number(c.req.header("Content-Length"));
    if (declared > IMPORT_MAX_BYTES) {
      throw new ApiError("payload_too_large", `Imports are limited to ${IMPORT_MAX_BYTES} bytes; this file has ${declared}.`, {
        details: { max_bytes: IMPORT_MAX_BYTES },
      });
    }
    // A snapshot (or a cancelled dataset) takes no rows: 409 naming the way forward, before the body is read.
    const dataset = await tenant.datasets.openForRows(c.req.valid("param").id);
    // An Idempotency-Key has already read the body (and cached it): stream from the cache then.
    const body = c.req.raw.bodyUsed ? new Response(await c.req.arrayBuffer()).body : c.req.raw.body;
    if (!body) throw new ApiError("bad_request", "The request has no body: send the JSONL file.");
    const catalog = loadCatalog(c.env);
    const encoding = resolveModel(catalog, catalog.defaults.teacher).encoding;
    // Rows go to the Tenant object page by page as staged (invisible) rows and are committed in one
    // call at the end: memory holds one page, and the import stays all or nothing.
    const importId = newId("imp");
    let seq = 0;
    try {
      const result = await streamImport(body, {
        limits: { maxBytes: IMPORT_MAX_BYTES, maxLines: IMPORT_MAX_LINES },
        skipInvalid: c.req.valid("query").skip_invalid === "true",
        toRow: async (line): Promise<StagedRow> => {
          // The id is the line's content: importing the same line again adds nothing.
          const id = `imp_${(await sha256Hex(`${dataset.id}\n${line.text}`)).slice(0, 24)}`;
          const example = line.example as { messages: Parameters<typeof countChatTokens>[0]; tools?: Parameters<typeof countChatTokens>[1] };
          const { tokens } = await countChatTokens(example.messages, example.tools, encoding);
          return { id, split: await splitFor(id, dataset.eval_fraction), example: line.text, tokens, line: line.line };
        },
        sizeOf: (row) => row.example.length * 3 + 64,
        stage: async (rows) => {
          await tenant.datasets.stageImport(importId, dataset.id, seq, rows);
          seq += rows.length;
        },
      });
      const done = await tenant.datasets.commitImport(importId, dataset.id);
      return c.json(
        {
          imported: done.added,
          duplicates: done.already_in_dataset + done.in_file,
          duplicates_already_in_dataset: done.already_in_dataset,
          duplicates_in_file: done.in_file,
          duplicate_lines: done.lines,
          skipped: result.skipped,
          skipped_blank: result.skipped_blank,
          rejected: result.rejected,
        },
        200,
      );
    } catch (err) {
      if (seq > 0) await tenant.datasets.discardImport(importId).catch(() => {}); // swept later if this fails too
      throw err;
    }
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
      // Lines go out ~64 KiB at a time: one stream chunk per line cost more than the rows' reads.
      async pull(controller) {
        let out = "";
        while (out.length < EXPORT_CHUNK_CHARS) {
          const next = await lines.next();
          if (next.done) {
            if (out) controller.enqueue(encoder.encode(out));
            controller.close();
            own[Symbol.dispose]();
            return;
          }
          out += `${next.value.text}\n`;
        }
        controller.enqueue(encoder.encode(out));
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
        base_model: nameField(256).optional(),
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
