import { Hono } from "hono";
import { invalidRequest, notFound } from "../errors";
import { fileObject } from "../files/store";
import { randomId } from "../ids";
import type { AppEnv, Services } from "../services";

const PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"];

/** OpenAI's /v1/files: multipart upload, list, retrieve, content, delete. */
export function fileRoutes(services: Services) {
  const load = (id: string) => {
    const file = services.files.get(id);
    if (file?.provider !== "openai") throw notFound(`No such File object: ${id}`, "id");
    return file;
  };
  return new Hono<AppEnv>()
    .post("/files", async (c) => {
      const type = c.req.header("content-type") ?? "";
      if (!type.startsWith("multipart/form-data")) throw invalidRequest(`Invalid Content-Type header (${type || "none"}), expected multipart/form-data.`);
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        throw invalidRequest("Could not parse multipart form");
      }
      const file = form.get("file");
      const purpose = form.get("purpose");
      if (file === null) throw invalidRequest("Missing required parameter: 'file'.", "file", "missing_required_parameter");
      if (typeof purpose !== "string" || !purpose) throw invalidRequest("Missing required parameter: 'purpose'.", "purpose", "missing_required_parameter");
      if (!PURPOSES.includes(purpose)) throw invalidRequest(`'${purpose}' is not one of ${JSON.stringify(PURPOSES)} - 'purpose'`, "purpose", "invalid_value");
      const filename = typeof file === "string" ? "upload" : file.name || "upload";
      if (purpose === "fine-tune" && !filename.toLowerCase().endsWith(".jsonl")) {
        throw invalidRequest("Invalid file format for Fine-Tuning API. Must be .jsonl", "file", "invalid_file_format");
      }
      const data = typeof file === "string" ? new TextEncoder().encode(file) : new Uint8Array(await file.arrayBuffer());
      const record = services.files.create(randomId("file-", 22), filename, purpose, data, Math.floor(Date.now() / 1000));
      return c.json(fileObject(record));
    })
    .get("/files", (c) => {
      const limit = Number(c.req.query("limit") ?? 10_000);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw invalidRequest("Invalid 'limit': must be an integer between 1 and 10000.", "limit", "invalid_value");
      const order = c.req.query("order") === "asc" ? "asc" : "desc";
      const after = c.req.query("after");
      const purpose = c.req.query("purpose");
      const { data, hasMore } = services.files.list({ limit, order, ...(after ? { after } : {}), ...(purpose ? { purpose } : {}) });
      return c.json({ object: "list", data: data.map(fileObject), first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore });
    })
    .get("/files/:id", (c) => c.json(fileObject(load(c.req.param("id")))))
    .get("/files/:id/content", (c) => {
      const file = load(c.req.param("id"));
      c.header("content-type", "application/octet-stream");
      c.header("content-length", String(file.bytes));
      c.header("content-disposition", `attachment; filename="${file.filename.replace(/"/g, "")}"`);
      return c.body(services.files.stream(file.id));
    })
    .delete("/files/:id", (c) => {
      const file = load(c.req.param("id"));
      services.files.delete(file.id);
      return c.json({ id: file.id, object: "file", deleted: true });
    });
}
