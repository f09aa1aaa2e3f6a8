import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { userMessage, validationError } from "../../src/openapi/validation-messages";

function messages(schema: z.ZodType, value: unknown, where = "body"): string[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error("expected a failure");
  return parsed.error.issues.map((i) => userMessage(i, where));
}

describe("validation messages a caller understands", () => {
  it("says a missing field is required, and names the type a wrong one must have", () => {
    const schema = z.object({ file: z.instanceof(File), name: z.string(), n: z.number().int(), tags: z.array(z.string()) });
    expect(messages(schema, { name: 5, n: 1.5, tags: "x" })).toEqual([
      "file is required",
      "name must be a string (got a number)",
      "n must be an integer (got a number)",
      "tags must be a list (got a string)",
    ]);
  });

  it("states bounds in the field's units", () => {
    const schema = z.object({ name: z.string().min(2).max(3), top_k: z.number().min(1).max(50), rows: z.array(z.string()).min(1) });
    expect(messages(schema, { name: "a", top_k: 51, rows: [] })).toEqual([
      "name must have at least 2 characters",
      "top_k must be at most 50",
      "rows must have at least 1 item",
    ]);
    expect(messages(z.object({ s: z.number().gt(0) }), { s: 0 })).toEqual(["s must be greater than 0"]);
  });

  it("lists the accepted values and names unknown fields", () => {
    const schema = z.strictObject({ mode: z.enum(["json", "text"]), kind: z.literal("x") });
    expect(messages(schema, { mode: "xml", kind: "y", extra: 1, more: 2 })).toEqual([
      'mode must be one of "json", "text"',
      'kind must be "x"',
      "unknown fields extra, more: see /docs for the fields this route takes",
    ]);
  });

  it("names formats, and says the whole body when the issue has no path", () => {
    expect(messages(z.object({ url: z.url() }), { url: "nope" })).toEqual(["url must be a valid URL"]);
    expect(messages(z.object({ a: z.string() }), "text")).toEqual(["the request body must be an object (got a string)"]);
    expect(messages(z.object({ limit: z.coerce.number().int().min(1) }), { limit: "0" }, "query")).toEqual(["limit must be at least 1"]);
  });

  it("keeps a message the schema wrote itself", () => {
    const schema = z.object({ a: z.number(), b: z.number() }).refine((v) => v.a < v.b, { message: "a must be below b", path: ["a"] });
    expect(messages(schema, { a: 2, b: 1 })).toEqual(["a: a must be below b"]);
  });

  it("makes one validation_failed error: the first issue in the message, every issue in details", () => {
    const parsed = z.object({ name: z.string(), n: z.number() }).safeParse({});
    const err = validationError("body", parsed.error!.issues);
    expect(err.code).toBe("validation_failed");
    expect(err.status).toBe(400);
    expect(err.message).toBe("Invalid request body: name is required");
    expect(err.details).toEqual([
      { path: "name", message: "name is required", code: "invalid_type" },
      { path: "n", message: "n is required", code: "invalid_type" },
    ]);
  });
});
