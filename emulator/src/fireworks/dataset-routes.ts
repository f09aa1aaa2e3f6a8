import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Services } from "../services";
import { parseOrThrow, readJsonText } from "../validation";
import { datasetObject, type DatasetRecord } from "./datasets";
import { alreadyExists, failedPrecondition, invalidArgument, notFoundG, RESOURCE_ID } from "./errors";
import { pageOf } from "./paging";

/** Fireworks' single-request upload limit; larger files go through getUploadEndpoint. */
export const MAX_DIRECT_UPLOAD = 150 * 1024 * 1024;

const createSchema = z.looseObject({
  datasetId: z.string().min(1),
  dataset: z.looseObject({
    displayName: z.string().optional(),
    format: z.enum(["CHAT", "COMPLETION", "FORMAT_UNSPECIFIED"]).default("CHAT"),
    userUploaded: z.looseObject({}).optional(),
    exampleCount: z.union([z.string(), z.number()]).optional(),
  }),
});
const endpointSchema = z.looseObject({
  filenameToSize: z.record(z.string().min(1), z.union([z.string().regex(/^\d+$/), z.number().int().min(0)])),
});

const body = async (req: Request) => {
  const text = await req.text();
  return text.trim() ? readJsonText(text) : {};
};

/** Fireworks' datasets: create, get, list, delete, :upload, :getUploadEndpoint, :validateUpload. */
export function datasetRoutes(services: Services) {
  const { datasets } = services;
  const load = (account: string, id: string): DatasetRecord => {
    const d = datasets.get(account, id);
    if (!d) throw notFoundG(`Dataset accounts/${account}/datasets/${id} not found`);
    return d;
  };
  const uploading = (d: DatasetRecord) => {
    if (d.state !== "UPLOADING") throw failedPrecondition(`Dataset accounts/${d.account}/datasets/${d.id} is ${d.state}; files can be uploaded only while it is UPLOADING.`);
  };

  return new Hono<AppEnv>()
    .post("/accounts/:account/datasets", async (c) => {
      const account = c.req.param("account");
      const req = parseOrThrow(createSchema, await body(c.req.raw));
      if (!RESOURCE_ID.test(req.datasetId)) throw invalidArgument(`Invalid datasetId "${req.datasetId}": use 1-63 lowercase letters, digits or hyphens.`);
      if (datasets.get(account, req.datasetId)) throw alreadyExists(`Dataset accounts/${account}/datasets/${req.datasetId} already exists`);
      const now = Date.now();
      const record: DatasetRecord = { account, id: req.datasetId, displayName: req.dataset.displayName ?? req.datasetId, format: req.dataset.format, state: "UPLOADING", exampleCount: 0, createTime: now, updateTime: now, fileId: null };
      datasets.insert(record);
      return c.json(datasetObject(record));
    })
    .get("/accounts/:account/datasets", (c) => {
      const { items, nextPageToken, totalSize } = pageOf(datasets.list(c.req.param("account")), c.req.query("pageSize"), c.req.query("pageToken"));
      return c.json({ datasets: items.map(datasetObject), nextPageToken, totalSize });
    })
    .get("/accounts/:account/datasets/:id", (c) => c.json(datasetObject(load(c.req.param("account"), c.req.param("id")))))
    .delete("/accounts/:account/datasets/:id", (c) => {
      datasets.delete(load(c.req.param("account"), c.req.param("id")));
      return c.json({});
    })
    // Custom methods (`name:verb`): the router sees "id:verb" as one path segment.
    .post("/accounts/:account/datasets/:idVerb", async (c) => {
      const [id = "", verb = ""] = c.req.param("idVerb").split(":");
      const d = load(c.req.param("account"), id);
      if (verb === "upload") {
        if (Number(c.req.header("content-length") ?? 0) > MAX_DIRECT_UPLOAD) throw invalidArgument(`File exceeds the ${MAX_DIRECT_UPLOAD / 1024 / 1024} MB limit of :upload; use :getUploadEndpoint and a signed URL instead.`);
        uploading(d);
        let form: FormData;
        try {
          form = await c.req.raw.formData();
        } catch {
          throw invalidArgument("Request must be multipart/form-data with a 'file' field.");
        }
        const file = form.get("file");
        if (file === null || typeof file === "string") throw invalidArgument("Missing 'file' in the multipart body.");
        if (file.size > MAX_DIRECT_UPLOAD) throw invalidArgument(`File exceeds the ${MAX_DIRECT_UPLOAD / 1024 / 1024} MB limit of :upload; use :getUploadEndpoint and a signed URL instead.`);
        const data = new Uint8Array(await file.arrayBuffer());
        if (data.byteLength === 0) throw invalidArgument("The uploaded file is empty.");
        const ready = datasets.attach(d, file.name || "dataset.jsonl", data);
        return c.json({ id: ready.id, object: "file", bytes: data.byteLength, created_at: Math.floor(ready.updateTime / 1000), filename: file.name || "dataset.jsonl", purpose: "fine-tune" });
      }
      if (verb === "getUploadEndpoint") {
        uploading(d);
        const { filenameToSize } = parseOrThrow(endpointSchema, await body(c.req.raw));
        if (Object.keys(filenameToSize).length === 0) throw invalidArgument("filenameToSize must name at least one file.");
        // The URL points back at this emulator, at whatever origin the caller used to reach it.
        const origin = new URL(c.req.url).origin;
        const filenameToSignedUrls: Record<string, string> = {};
        for (const [filename, size] of Object.entries(filenameToSize)) {
          const token = crypto.randomUUID().replace(/-/g, "");
          datasets.addSignedUpload(token, d, filename, Number(size));
          filenameToSignedUrls[filename] = `${origin}/fireworks/_signed/${token}`;
        }
        return c.json({ filenameToSignedUrls });
      }
      if (verb === "validateUpload") {
        uploading(d);
        const slots = datasets.signedUploads(d);
        if (slots.length === 0) throw failedPrecondition(`No upload was started for dataset accounts/${d.account}/datasets/${d.id}; call :getUploadEndpoint first.`);
        const missing = slots.filter((s) => !s.file_id).map((s) => s.filename);
        if (missing.length) throw failedPrecondition(`Files not uploaded yet: ${missing.join(", ")}`);
        const parts = slots.map((s) => services.files.bytes(s.file_id ?? ""));
        const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
        let at = 0;
        for (const p of parts) {
          joined.set(p, at);
          at += p.byteLength;
        }
        datasets.attach(d, slots[0]?.filename ?? "dataset.jsonl", joined);
        datasets.clearSigned(d);
        return c.json({});
      }
      throw notFoundG(`Unknown method :${verb} on datasets`);
    });
}

/** PUT to a signed URL: no auth header (the token is the credential); the size must be as declared. */
export function signedUploadRoutes(services: Services) {
  return new Hono<AppEnv>().put("/:token", async (c) => {
    const slot = services.datasets.signedUpload(c.req.param("token"));
    if (!slot) throw notFoundG("Signed URL not found or expired.");
    const data = new Uint8Array(await c.req.arrayBuffer());
    if (data.byteLength !== slot.size) throw invalidArgument(`Content length ${data.byteLength} does not match the declared size ${slot.size} of ${slot.filename}.`);
    services.datasets.receiveSigned(slot.token, slot.filename, data);
    return c.body(null, 200);
  });
}
