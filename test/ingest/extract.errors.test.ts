import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { extractDocument } from "../../src/ingest/extract";
import { pdfError } from "../../src/ingest/extract/pdf-errors";
import { samplePdf } from "../fixtures/samples";

const utf8 = (s: string) => new TextEncoder().encode(s);

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("extractDocument: PDFs that give no text", () => {
  it("refuses an encrypted PDF with bad_request and asks for a decrypted copy", async () => {
    const err = await failure(extractDocument(samplePdf("encryptedPdf"), "application/pdf"));
    expect(err.code).toBe("bad_request");
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/encrypted \(password-protected\); upload a decrypted copy/);
    expect(err.details).toMatchObject({ reason: "encrypted" });
  });

  it("answers unprocessable for a PDF with drawings but no text layer, pointing at OCR", async () => {
    const err = await failure(extractDocument(samplePdf("noTextLayerPdf"), "application/pdf"));
    expect(err.code).toBe("unprocessable");
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/no text layer/);
    expect(err.message).toMatch(/OCR/);
    expect(err.details).toEqual({ reason: "no_text_layer", pages: 2 });
  });

  it("refuses a PDF whose body is garbled behind a valid header", async () => {
    const err = await failure(extractDocument(samplePdf("corruptPdf"), "application/pdf"));
    expect(err.code).toBe("bad_request");
    expect(err.message).toMatch(/^Not a readable PDF: /);
    expect(err.details).toMatchObject({ reason: "corrupt" });
  });

  it("refuses a truncated PDF", async () => {
    const err = await failure(extractDocument(samplePdf("truncatedPdf"), "application/pdf"));
    expect(err.code).toBe("bad_request");
    expect(err.message).toMatch(/^Not a readable PDF: /);
  });

  it("refuses bytes labelled as PDF that have no %PDF- header", async () => {
    const err = await failure(extractDocument(utf8("Just some text, not a PDF."), "application/pdf"));
    expect(err.code).toBe("bad_request");
    expect(err.message).toBe("Not a readable PDF: no %PDF- header in the first 1024 bytes.");
  });

  it("refuses an empty PDF upload", async () => {
    const err = await failure(extractDocument(new Uint8Array(), "application/pdf"));
    expect(err.code).toBe("bad_request");
    expect(err.message).toMatch(/empty/);
  });

  it("enforces a page limit with payload_too_large", async () => {
    const err = await failure(extractDocument(samplePdf("tinyPdf"), "application/pdf", { maxPages: 2 }));
    expect(err.code).toBe("payload_too_large");
    expect(err.details).toEqual({ pages: 3, limit: 2 });
  });
});

describe("extractDocument: content types and text", () => {
  it("names the supported content types when given another", async () => {
    const err = await failure(extractDocument(utf8("x"), "image/png"));
    expect(err.code).toBe("unsupported_media_type");
    expect(err.status).toBe(415);
    for (const type of ["text/plain", "text/markdown", "application/pdf"]) expect(err.message).toContain(type);
    expect(err.details).toMatchObject({ content_type: "image/png", supported: ["text/plain", "text/markdown", "application/pdf"] });
  });

  it("treats a missing content type as unsupported", async () => {
    const err = await failure(extractDocument(utf8("x"), ""));
    expect(err.code).toBe("unsupported_media_type");
  });

  it("accepts only UTF-8 text", async () => {
    const err = await failure(extractDocument(utf8("caf\u00e9"), "text/plain; charset=iso-8859-1"));
    expect(err.code).toBe("unsupported_media_type");
    expect(err.message).toMatch(/UTF-8/);
  });

  it("refuses bytes that are not valid UTF-8", async () => {
    const err = await failure(extractDocument(new Uint8Array([0x61, 0xff, 0xfe, 0x62]), "text/plain"));
    expect(err.code).toBe("bad_request");
    expect(err.message).toMatch(/not valid UTF-8/);
  });

  it.each([
    ["empty", ""],
    ["whitespace only", " \n\t\r\n  "],
    ["a byte-order mark only", "\uFEFF"],
    ["1,000 NUL bytes", "\u0000".repeat(1000)],
    ["control characters only", "\u0001\u0002\u007f \n"],
    ["zero-width and bidi characters only", "\u200b\u202e\u2066"],
  ])("answers bad_request for a %s document", async (_, text) => {
    const err = await failure(extractDocument(utf8(text), "text/markdown"));
    expect(err.code).toBe("bad_request");
    expect(err.message).toMatch(/^The document has no text/);
  });

  it("enforces a byte limit with payload_too_large", async () => {
    const err = await failure(extractDocument(utf8("0123456789"), "text/plain", { maxBytes: 9 }));
    expect(err.code).toBe("payload_too_large");
    expect(err.status).toBe(413);
  });
});

describe("pdfError: what pdf.js throws, translated", () => {
  it.each([
    [{ name: "PasswordException", message: "No password given", code: 1 }, "encrypted"],
    [{ name: "PasswordException", message: "Incorrect Password", code: 2 }, "encrypted"],
    [Object.assign(new Error("Invalid PDF structure."), { name: "InvalidPDFException" }), "corrupt"],
    [{ name: "FormatError", message: "Bad FCHECK in flate stream: 120, 239" }, "corrupt"],
    [{ name: "UnknownErrorException", message: "" }, "corrupt"],
    ["a bare string", "corrupt"],
  ])("recognises %o by name and message, not instanceof", (thrown, reason) => {
    const err = pdfError(thrown);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("bad_request");
    expect(err.details).toMatchObject({ reason });
    expect(err.message).toMatch(reason === "encrypted" ? /encrypted/ : /^Not a readable PDF: .+\.$/);
  });

  it("passes our own errors through unchanged", () => {
    const ours = new ApiError("payload_too_large", "too many pages");
    expect(pdfError(ours)).toBe(ours);
  });
});
