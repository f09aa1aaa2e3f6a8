import { Hono } from "hono";
import { invalidRequest, notFound } from "../errors";
import type { FileRecord, FileStore } from "../files/store";
import type { AppEnv, Services } from "../services";

const PURPOSES = ["fine-tune", "eval", "eval-sample", "eval-output", "eval-summary", "batch-generated", "batch-api"];
const FILE_TYPES = ["jsonl", "csv", "parquet"];

/** Lines with content: Together's LineCount counts records, not a trailing newline. */
function lineCount(files: FileStore, id: string): number {
  return files.text(id).split("\n").filter((l) => l.trim() !== "").length;
}

/** Together's FileResponse (its capitalised FileType/LineCount/Processed are as documented). */
export function togetherFileObject(files: FileStore, f: FileRecord) {
  const type = f.filename.split(".").pop()?.toLowerCase() ?? "jsonl";
  return {
    id: f.id,
    object: "file" as const,
    created_at: f.created_at,
    filename: f.filename,
    bytes: f.bytes,
    purpose: f.purpose,
    FileType: FILE_TYPES.includes(type) ? type : "jsonl",
    LineCount: lineCount(files, f.id),
    Processed: true,
  };
}

/** A Together file by id; other providers' files are not Together's. */
export function loadTogetherFile(files: FileStore, id: string): FileRecord {
  const file = files.get(id);
  if (file?.provider !== "together") throw notFound(`File ${id} not found`, "id", "file_not_found");
  return file;
}

/** Together's /files: multipart upload, list, retrieve, content, delete. */
export function togetherFileRoutes(services: Services) {
  const { files } = services;
  return new Hono<AppEnv>()
    .post("/files/upload", async (c) => {
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        throw invalidRequest("Request must be multipart/form-data with fields file, file_name and purpose.");
      }
      const file = form.get("file");
      const fileName = form.get("file_name");
      const purpose = form.get("purpose");
      const fileType = form.get("file_type") ?? "jsonl";
      if (file === null || typeof file === "string") throw invalidRequest("Missing required field: file", "file", "missing_required_parameter");
      if (typeof fileName !== "string" || !fileName) throw invalidRequest("Missing required field: file_name", "file_name", "missing_required_parameter");
      if (typeof purpose !== "string" || !PURPOSES.includes(purpose)) throw invalidRequest(`Invalid purpose: must be one of ${PURPOSES.join(", ")}`, "purpose", "invalid_value");
      if (typeof fileType !== "string" || !FILE_TYPES.includes(fileType)) throw invalidRequest(`Invalid file_type: must be one of ${FILE_TYPES.join(", ")}`, "file_type", "invalid_value");
      if (!fileName.toLowerCase().endsWith(`.${fileType}`)) throw invalidRequest(`File name ${fileName} does not match file_type ${fileType}`, "file_name", "invalid_value");
      const data = new Uint8Array(await file.arrayBuffer());
      if (data.byteLength === 0) throw invalidRequest("File is empty", "file", "invalid_value");
      const record = files.create(`file-${crypto.randomUUID()}`, fileName, purpose, data, Math.floor(Date.now() / 1000), "together");
      return c.json(togetherFileObject(files, record));
    })
    .get("/files", (c) => {
      const { data } = files.list({ limit: 10_000, order: "desc", provider: "together" });
      return c.json({ data: data.map((f) => togetherFileObject(files, f)) });
    })
    .get("/files/:id", (c) => c.json(togetherFileObject(files, loadTogetherFile(files, c.req.param("id")))))
    .get("/files/:id/content", (c) => {
      const file = loadTogetherFile(files, c.req.param("id"));
      c.header("content-type", "application/octet-stream");
      return c.body(files.stream(file.id));
    })
    .delete("/files/:id", (c) => {
      const file = loadTogetherFile(files, c.req.param("id"));
      files.delete(file.id);
      return c.json({ id: file.id, deleted: true });
    });
}
