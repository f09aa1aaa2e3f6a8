import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { tenantHandle } from "../../auth/middleware";
import type { DocumentRecord } from "../../durable/tenant/documents";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { formatOf } from "../../ingest/extract";
import { metadataTextOf } from "../../ingest/pipeline";
import { dropStoredText } from "../../ingest/text-store";
import { checkMetadataFits, resolveChunkSettings } from "../../ingest/settings";
import { checkUpload, type Upload } from "../../ingest/upload";
import { newId, sha256Hex } from "../../lib/ids";
import { listBody, listSchema, pageOf, pageQuery } from "../../openapi/lists";
import { createRouter } from "../../openapi/router";
import { validationError } from "../../openapi/validation-messages";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, TENANT_SECURITY, unixTime } from "../../openapi/schemas";
import { withUnixTimes } from "../../lib/unix-time";
import { QUEUES, type IngestMessage } from "../../queues/messages";
import { createDocumentFormSchema, createDocumentJsonSchema, fileContentType, formTitle, parseMetadataField, rawUploadQuerySchema } from "./schemas";
import { vectorIndexFor } from "../../vector";
import { nowIso } from "../../lib/clock";

export const documentSchema = z
  .object({
    object: z.literal("document"),
    id: z.string(),
    title: z.string(),
    format: z.enum(["text", "markdown", "pdf"]),
    content_type: z.string(),
    content_hash: z.string().openapi({ description: "SHA-256 of the original bytes" }),
    bytes: z.number(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    settings: z.object({ chunk_size: z.number(), chunk_overlap: z.number(), encoding: z.string() }),
    status: z.enum(["pending", "processing", "ready", "failed"]),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    chunk_count: z.number().nullable(),
    token_count: z.number().nullable(),
    page_count: z.number().nullable(),
    created_at: unixTime,
    updated_at: unixTime,
    progress: z
      .object({ chunks: z.number(), embedded: z.number() })
      .optional()
      .openapi({ description: "While processing (GET one document only): chunks made and embedded so far" }),
    stalled: z
      .boolean()
      .optional()
      .openapi({ description: "GET one document only: in flight with no progress past its lease; the sweeper resumes it (see Recovery)" }),
  })
  .openapi("Document");

/** What a client sees of a document: not where it is stored. */
export function documentView(doc: DocumentRecord) {
  const { r2_key: _r2, ...view } = doc;
  return { object: "document" as const, ...withUnixTimes(view), status: view.status as Exclude<DocumentRecord["status"], "deleted"> };
}

const rawBody = { schema: z.string().openapi({ type: "string", format: "binary" }) };

/** Reads the upload in whichever of the three shapes it came. */
async function readUpload(c: Context<AppEnv>): Promise<Upload> {
  const contentType = c.req.header("Content-Type") ?? "";
  if (/^application\/json\b/i.test(contentType)) {
    const body = (c.req.valid as (t: "json") => z.infer<typeof createDocumentJsonSchema>)("json");
    const { title, text, format, metadata, ...settings } = body;
    const type = format === "markdown" ? "text/markdown" : "text/plain";
    return { bytes: new TextEncoder().encode(text), contentType: type, format, title, metadata: metadata ?? {}, settings };
  }
  if (/^multipart\/form-data\b/i.test(contentType)) {
    const form = (c.req.valid as (t: "form") => z.infer<typeof createDocumentFormSchema>)("form");
    const file = form.file as unknown;
    if (!(file instanceof File)) {
      throw new ApiError("validation_failed", "Invalid request body: file is required (a multipart upload sends the document in a part named `file`).", {
        details: [{ path: "file", message: "file is required" }],
      });
    }
    const type = fileContentType(file);
    const settings = rawUploadQuerySchema.pick({ chunk_size: true, chunk_overlap: true, encoding: true }).safeParse(form);
    if (!settings.success) throw validationError("body", settings.error.issues);
    return {
      bytes: new Uint8Array(await file.arrayBuffer()),
      contentType: type,
      format: formatOf(type),
      title: formTitle(form.title, file.name),
      metadata: parseMetadataField(form.metadata),
      settings: settings.data,
    };
  }
  const query = rawUploadQuerySchema.safeParse(c.req.query());
  if (!query.success) {
    throw validationError("query", query.error.issues);
  }
  const { title, metadata, ...settings } = query.data;
  return {
    bytes: new Uint8Array(await c.req.arrayBuffer()),
    contentType,
    format: formatOf(contentType),
    title: title ?? "Untitled",
    metadata: parseMetadataField(metadata),
    settings,
  };
}

export const documentRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["documents"],
      summary: "Upload a document (JSON text, a raw text/Markdown/PDF body, or multipart); ingested off the request path",
      description:
        "Answers 202 with the document `pending`; the ingest queue extracts, splits (token-aware, LlamaIndex " +
        "SentenceSplitter semantics) and embeds it, then marks it `ready` (or `failed` with the reason). " +
        "Identical content with the same settings and metadata answers 200 with the existing document. " +
        "With Vectorize, `ready` means written: vectors become searchable a few seconds later.",
      security: TENANT_SECURITY,
      request: {
        headers: idempotencyKeyHeader,
        query: rawUploadQuerySchema,
        body: {
          required: false,
          content: {
            "application/json": { schema: createDocumentJsonSchema },
            "multipart/form-data": { schema: createDocumentFormSchema },
            "text/plain": rawBody,
            "text/markdown": rawBody,
            "application/pdf": rawBody,
          },
        },
      },
      responses: {
        202: jsonContent(z.object({ document: documentSchema, duplicate: z.literal(false) }), "Accepted; ingesting"),
        200: jsonContent(z.object({ document: documentSchema, duplicate: z.literal(true) }), "Already uploaded"),
        ...errorResponses(400, 401, 409, 413, 422),
      },
    }),
    async (c) => {
      const tenant = tenantHandle(c);
      const upload = await readUpload(c);
      await checkUpload(upload);
      const settings = resolveChunkSettings(await tenant.profile.settings(), upload.settings);
      const metadataText = metadataTextOf(upload);
      await checkMetadataFits(metadataText, settings);

      const contentHash = await sha256Hex(upload.bytes);
      const dedupeKey = await sha256Hex(JSON.stringify([contentHash, upload.contentType, settings, metadataText]));
      const twin = await tenant.documents.twin(dedupeKey);
      if (twin) return c.json({ document: documentView(twin), duplicate: true as const }, 200);

      const id = newId("doc");
      const r2Key = `tenants/${tenant.id}/documents/${id}/original`;
      await c.env.DATA.put(r2Key, upload.bytes, { httpMetadata: { contentType: upload.contentType } });
      const { created, document } = await tenant.documents.create({
        id,
        title: upload.title,
        format: upload.format,
        content_type: upload.contentType,
        content_hash: contentHash,
        dedupe_key: dedupeKey,
        r2_key: r2Key,
        bytes: upload.bytes.byteLength,
        metadata: upload.metadata,
        settings,
        created_at: nowIso(),
      });
      if (!created) {
        // A concurrent upload of the same content won the race: keep its copy only.
        await c.env.DATA.delete(r2Key);
        return c.json({ document: documentView(document), duplicate: true as const }, 200);
      }
      const message: IngestMessage = { type: "ingest.document", tenant_id: tenant.id, document_id: id, request_id: c.get("requestId") };
      try {
        await c.env.INGEST_QUEUE.send(message);
      } catch (err) {
        // Not queued means never ingested: undo the row and the original rather than leave them pending forever.
        await tenant.documents.remove(id);
        await c.env.DATA.delete(r2Key);
        throw new ApiError("upstream_unavailable", "Could not queue the document for ingestion; try again.", { cause: err });
      }
      return c.json({ document: documentView(document), duplicate: false as const }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["documents"],
      summary: "List documents, newest first",
      security: TENANT_SECURITY,
      request: {
        query: pageQuery().extend({ status: z.enum(["pending", "processing", "ready", "failed"]).optional() }),
      },
      responses: {
        200: jsonContent(listSchema(documentSchema), "A page of documents"),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const { status, ...q } = c.req.valid("query");
      const page = await tenantHandle(c).documents.list({ ...pageOf(q), ...(status ? { status } : {}) });
      return c.json(listBody(page.data.map(documentView), page.has_more), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["documents"],
      summary: "A document: status, chunk count, token count, error",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: { 200: jsonContent(documentSchema, "The document"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { document, progress, stalled } = await tenantHandle(c).documents.show(c.req.valid("param").id);
      if (!progress) return c.json({ ...documentView(document), stalled }, 200);
      return c.json({ ...documentView(document), progress, stalled }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/retry",
      tags: ["documents"],
      summary: "Ingest a failed document again (its original is kept when the providers failed it; refused content must be uploaded again)",
      security: TENANT_SECURITY,
      request: { params: idParams, headers: idempotencyKeyHeader },
      responses: { 202: jsonContent(documentSchema, "Pending again; ingesting"), ...errorResponses(401, 404, 409) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const tenant = tenantHandle(c);
      const { document: failed } = await tenant.documents.show(id);
      if (failed.status === "failed" && !(await c.env.DATA.head(failed.r2_key))) {
        throw new ApiError("conflict", `Document ${id} failed (${failed.error?.code ?? "failed"}) and its original is gone; upload it again.`, {
          details: { status: failed.status, error: failed.error },
        });
      }
      const document = await tenant.documents.retry(id);
      const message: IngestMessage = { type: "ingest.document", tenant_id: tenant.id, document_id: id, request_id: c.get("requestId") };
      try {
        await c.env.INGEST_QUEUE.send(message);
      } catch (err) {
        await tenant.documents.unretry(id, failed.error ?? { code: "failed", message: "failed" });
        throw new ApiError("upstream_unavailable", "Could not queue the document for ingestion; try again.", { cause: err });
      }
      return c.json(documentView(document), 202);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["documents"],
      summary: "Delete a document: its chunks, vectors and original (repeat-safe)",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: {
        200: jsonContent(z.object({ id: z.string(), object: z.literal("document"), deleted: z.literal(true) }), "Deleted (OpenAI's deletion shape)"),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const tenant = tenantHandle(c);
      const deletion = await tenant.documents.deletion(id);
      if (deletion) {
        // Vectors, then the original, then the rows: a failure part-way leaves the
        // document listed, and a repeated DELETE finishes the job.
        await vectorIndexFor(c.env, tenant.id).deleteByDocument(id, deletion.chunk_ids);
        await c.env.DATA.delete(deletion.r2_key);
        await dropStoredText(c.env.DATA, tenant.id, id);
        await tenant.documents.markDeleted(id);
      }
      return c.json({ id, object: "document" as const, deleted: true as const }, 200);
    },
  );
