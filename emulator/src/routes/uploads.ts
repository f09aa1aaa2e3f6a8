import { Hono } from "hono";
import { z } from "zod";
import { invalidRequest, notFound } from "../errors";
import { fileObject } from "../files/store";
import { randomId } from "../ids";
import type { AppEnv, Services } from "../services";
import { MAX_PART_BYTES, MAX_UPLOAD_BYTES, UPLOAD_TTL_S, type UploadRecord } from "../uploads/store";
import { parseOrThrow, readJsonText } from "../validation";

const PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"] as const;
const createSchema = z.looseObject({
  bytes: z.number().int().min(0).max(MAX_UPLOAD_BYTES),
  filename: z.string().min(1),
  mime_type: z.string().min(1),
  purpose: z.enum(PURPOSES),
});
const completeSchema = z.looseObject({ part_ids: z.array(z.string()), md5: z.string().optional() });
const seconds = () => Math.floor(Date.now() / 1000);

/** OpenAI's /v1/uploads: a file sent in parts (for files above the single-request limit). */
export function uploadRoutes(services: Services) {
  const { uploads, files } = services;
  const render = (u: UploadRecord) => {
    const file = u.file_id ? files.get(u.file_id) : undefined;
    const expired = u.status === "pending" && seconds() >= u.expires_at;
    const { id, bytes, created_at, expires_at, filename, purpose } = u;
    return { id, object: "upload" as const, bytes, created_at, filename, purpose, status: expired ? "expired" : u.status, expires_at, file: file ? fileObject(file) : null };
  };
  /** The upload, refusing anything but a pending one (OpenAI's 400s). */
  const pending = (id: string): UploadRecord => {
    const u = uploads.get(id);
    if (!u) throw notFound(`Upload ${id} not found.`, "upload_id");
    const status = render(u).status;
    if (status !== "pending") throw invalidRequest(`Upload ${id} is ${status}; only a pending upload accepts this.`, "upload_id", "invalid_upload_state");
    return u;
  };

  return new Hono<AppEnv>()
    .post("/uploads", async (c) => {
      const req = parseOrThrow(createSchema, readJsonText(await c.req.text()));
      if (req.purpose === "fine-tune" && !req.filename.toLowerCase().endsWith(".jsonl")) {
        throw invalidRequest("Invalid file format for Fine-Tuning API. Must be .jsonl", "filename", "invalid_file_format");
      }
      const now = seconds();
      const u: UploadRecord = { ...req, id: randomId("upload_", 24), created_at: now, expires_at: now + UPLOAD_TTL_S, status: "pending", parts: [], file_id: null };
      uploads.insert(u);
      return c.json(render(u));
    })
    .post("/uploads/:id/parts", async (c) => {
      const u = pending(c.req.param("id"));
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        throw invalidRequest("Could not parse multipart form");
      }
      const data = form.get("data");
      if (data === null) throw invalidRequest("Missing required parameter: 'data'.", "data", "missing_required_parameter");
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(await data.arrayBuffer());
      if (bytes.byteLength > MAX_PART_BYTES) throw invalidRequest(`Part is ${bytes.byteLength} bytes; a part can be at most ${MAX_PART_BYTES} bytes (64 MB).`, "data", "part_too_large");
      const received = u.parts.reduce((n, p) => n + p.bytes, 0);
      if (received + bytes.byteLength > u.bytes) throw invalidRequest(`Upload ${u.id} would exceed its declared ${u.bytes} bytes.`, "data", "upload_too_large");
      const part = uploads.addPart(u, randomId("part_", 24), bytes, seconds());
      return c.json({ id: part.id, object: "upload.part" as const, created_at: part.created_at, upload_id: u.id });
    })
    .post("/uploads/:id/complete", async (c) => {
      const u = pending(c.req.param("id"));
      const { part_ids, md5 } = parseOrThrow(completeSchema, readJsonText(await c.req.text()));
      const known = new Set(u.parts.map((p) => p.id));
      const unknown = part_ids.find((id) => !known.has(id));
      if (unknown) throw invalidRequest(`Part ${unknown} does not belong to upload ${u.id}.`, "part_ids", "invalid_part_id");
      if (new Set(part_ids).size !== part_ids.length) throw invalidRequest("part_ids must not repeat a part.", "part_ids", "duplicate_part_id");
      const data = uploads.join(part_ids);
      if (data.byteLength !== u.bytes) {
        throw invalidRequest(`The number of bytes uploaded (${data.byteLength}) does not match the number of bytes specified when creating the upload (${u.bytes}).`, "part_ids", "upload_size_mismatch");
      }
      if (md5 && (await md5Hex(data)) !== md5.toLowerCase()) throw invalidRequest("The md5 checksum does not match the uploaded bytes.", "md5", "checksum_mismatch");
      const file = files.create(randomId("file-", 22), u.filename, u.purpose, data, seconds());
      uploads.dropParts(u);
      const done: UploadRecord = { ...u, status: "completed", file_id: file.id };
      uploads.save(done);
      return c.json(render(done));
    })
    .post("/uploads/:id/cancel", (c) => {
      const u = pending(c.req.param("id"));
      uploads.dropParts(u);
      const cancelled: UploadRecord = { ...u, status: "cancelled", parts: [] };
      uploads.save(cancelled);
      return c.json(render(cancelled));
    });
}

/** workerd's SubtleCrypto offers MD5 (non-standard), which is what OpenAI's `md5` is. */
async function md5Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("MD5", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
