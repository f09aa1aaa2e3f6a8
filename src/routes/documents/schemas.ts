import { z } from "@hono/zod-openapi";
import { ApiError } from "../../errors";
import { splitEncodingSchema } from "../../ingest/split";
import { documentMetadataSchema as metadataRule, type Upload } from "../../ingest/upload";
import { validationError } from "../../openapi/validation-messages";

/** Document metadata as the API documents it (the rule itself is the ingest's). */
export const documentMetadataSchema = metadataRule.openapi({ example: { source: "10-K 2022", year: 2022 } });

/** Per-document splitter settings (over the tenant's, over the defaults). */
export const chunkSettingsFields = {
  chunk_size: z.coerce.number().int().optional().openapi({ description: "Tokens per chunk (default 1024)" }),
  chunk_overlap: z.coerce.number().int().optional().openapi({ description: "Tokens carried between chunks (default 200)" }),
  encoding: splitEncodingSchema.optional().openapi({ description: "Tokenizer that counts chunk sizes (default cl100k_base)" }),
};

export const createDocumentJsonSchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    text: z.string(),
    format: z.enum(["text", "markdown"]).default("text"),
    metadata: documentMetadataSchema.optional(),
    ...chunkSettingsFields,
  })
  .openapi("CreateDocument");

export const createDocumentFormSchema = z
  .object({
    file: z.any().openapi({ type: "string", format: "binary" }),
    title: z.string().optional(),
    metadata: z.string().optional().openapi({ description: "JSON object of metadata" }),
    chunk_size: z.string().optional(),
    chunk_overlap: z.string().optional(),
    encoding: z.string().optional(),
  })
  .openapi("CreateDocumentForm");

/** Query parameters that go with a raw upload (`text/plain`, `text/markdown`, `application/pdf` body). */
export const rawUploadQuerySchema = z.object({
  title: z.string().trim().min(1).max(300).optional(),
  metadata: z.string().optional().openapi({ description: "JSON object of metadata" }),
  ...chunkSettingsFields,
});

const EXTENSION_TYPES: Record<string, string> = { pdf: "application/pdf", md: "text/markdown", markdown: "text/markdown", txt: "text/plain" };

/** Metadata given as a JSON string (query or form field). */
export function parseMetadataField(raw: string | undefined): Upload["metadata"] {
  if (raw === undefined || raw === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ApiError("validation_failed", "metadata must be a JSON object.", { details: [{ path: "metadata", message: "not JSON" }] });
  }
  const parsed = documentMetadataSchema.safeParse(value);
  if (!parsed.success) {
    throw validationError("metadata", parsed.error.issues.map((i) => ({ ...i, path: ["metadata", ...i.path] })));
  }
  return parsed.data;
}

/** A file part's content type: its own, else from its extension. */
export function fileContentType(file: File): string {
  const own = file.type && file.type !== "application/octet-stream" ? file.type : "";
  if (own) return own;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return EXTENSION_TYPES[ext] ?? "application/octet-stream";
}

