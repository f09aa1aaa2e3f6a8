import fc from "fast-check";
import { exampleLines } from "../helpers/jobs";
import type { JsonSchema, Operation } from "./spec";
import { adversarialString, baseValue, HOSTILE_STRINGS, NASTY_STRINGS, stringFields, valueOf, wrongTypeOf, type ValueOptions } from "./values";
import { pathValues, type World } from "./world";

/** What a case does to an otherwise well-formed request. */
export type Kind =
  | "hostile-sweep"
  | "schema-valid"
  | "wrong-type"
  | "missing-field"
  | "adversarial-field"
  | "bad-json"
  | "wrong-content-type"
  | "path-trick"
  | "query-junk"
  | "oversized";

/** One request, ready to send. */
export interface Case {
  kind: Kind;
  /** Path with its query, encoded as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string | FormData | Uint8Array;
}

/** Path parameters written as an attacker would: traversal, NUL, broken escapes, over-long. */
export const PATH_TRICKS = [
  "%2e%2e",
  "..",
  "%2e%2e%2f%2e%2e",
  "%00",
  "a%00b",
  "%ZZ",
  "%",
  "%E2%80%AE",
  "%ED%A0%80",
  "%C0%AE",
  "%252e",
  "%2F",
  "a%2Fb",
  "%0d%0aX-Injected:%201",
  "%20",
  "x".repeat(300),
  "%F0%9F%8E%89",
  "a;b=c",
  "~",
  "__proto__",
];

const BAD_JSON = ['{"a":', "{", "nul", "[1,2", '{"name": "x",}', "\u0000", '{"a":1}{"b":2}', "NaN", "'single'", '{"a": 01}', '{"a": "\\x41"}', '{"a": "\\ud800'];

const isJson = (type: string) => /^application\/(.+\+)?json$/.test(type);

/** Field name → the world's values it can name, so a well-formed case also reaches the handler's lookups. */
function hintsOf(world: World): ValueOptions {
  return {
    hints: {
      program: [world.ids.programs!],
      dataset: [world.ids.datasets!],
      documents: [world.ids.documents!],
      name: [`fz-${world.ids.programs}`],
      provider: ["openai", "together", "fireworks"],
      provider_job_id: ["ftjob-fuzz", "ft-fuzz"],
      query: ["Which chapter covers topic 1?"],
      question: ["Which chapter covers topic 1?"],
    },
  };
}

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate: send it as its (invalid) UTF-8 bytes, as a raw client could.
    return value.replace(/[\ud800-\udfff]/g, "%ED%A0%80").replace(/[^A-Za-z0-9%._~-]/g, "_");
  }
}

/** Header values must be Latin-1 without CR, LF or NUL: the client side of fetch refuses the rest. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");
}

function queryString(entries: [string, string][]): string {
  if (entries.length === 0) return "";
  return "?" + entries.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join("&");
}

/** A query parameter's value as text: from its schema, usually. */
function queryValue(schema: JsonSchema, opts: ValueOptions, name: string): fc.Arbitrary<string> {
  return valueOf(schema, opts, name).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

/** The query: each optional parameter sent a third of the time, each required one always. */
function queryArb(op: Operation, opts: ValueOptions): fc.Arbitrary<[string, string][]> {
  const params = op.params.filter((p) => p.in === "query");
  if (params.length === 0) return fc.constant([]);
  return fc
    .tuple(...params.map((p) => (p.required ? queryValue(p.schema, opts, p.name).map((v) => [p.name, v] as [string, string]) : fc.option(queryValue(p.schema, opts, p.name).map((v) => [p.name, v] as [string, string]), { freq: 2 }))))
    .map((entries) => entries.filter((e): e is [string, string] => e !== null));
}

/** Junk in the query: wrong types, unknown and repeated names, broken escapes (sent raw). */
function queryJunkArb(op: Operation): fc.Arbitrary<string> {
  const names = [...op.params.filter((p) => p.in === "query").map((p) => p.name), "limit", "__proto__", "constructor", "a[b]"];
  const junk = fc.constantFrom("abc", "-1", "1e999", "0x1f", "%ZZ", "%00", "", "[]", "{}", "9".repeat(40), "true&true", "%E2%80%AE");
  return fc.array(fc.tuple(fc.constantFrom(...names), junk), { minLength: 1, maxLength: 4 }).map((pairs) => "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&"));
}

/** A JSONL body (import): valid lines, with broken and adversarial ones mixed in. */
function jsonlArb(): fc.Arbitrary<string> {
  const line = fc.oneof(
    { weight: 3, arbitrary: fc.nat(1000).map((i) => exampleLines(1, `fz${i}`).trimEnd()) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_JSON) },
    { weight: 1, arbitrary: adversarialString().map((s) => JSON.stringify({ messages: [{ role: "user", content: s }, { role: "assistant", content: s }] })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  );
  return fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.join("\n") + "\n");
}

/** A raw body for a non-JSON media type. */
function rawBodyArb(type: string, op: Operation): fc.Arbitrary<string | Uint8Array> {
  const jsonl = Object.keys(op.body?.content ?? {}).some((t) => /jsonl|ndjson/.test(t));
  if (/jsonl|ndjson/.test(type) || (jsonl && type === "text/plain")) return jsonlArb();
  if (type === "application/pdf") {
    return fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.string().map((s) => new TextEncoder().encode(`%PDF-1.4\n${s}\n%%EOF`)));
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.lorem({ maxCount: 30, mode: "sentences" }) },
    { weight: 2, arbitrary: adversarialString() },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 128 }) },
  );
}

/** A multipart form from the schema's properties; `format: binary` fields become files. */
function formArb(schema: JsonSchema, opts: ValueOptions): fc.Arbitrary<FormData> {
  const props = Object.entries(schema.properties ?? {});
  return fc
    .tuple(
      ...props.map(([name, prop]) =>
        prop.format === "binary"
          ? fc.tuple(fc.constant(name), fc.oneof(fc.lorem({ maxCount: 20 }), adversarialString()), fc.constantFrom("notes.txt", "notes.md", "x", "a\u202etxt.exe", "../../x.pdf"))
          : fc.tuple(fc.constant(name), fc.option(queryValue(prop, opts, name), { freq: 2 }), fc.constant("")),
      ),
    )
    .map((fields) => {
      const form = new FormData();
      for (const [name, value, fileName] of fields) {
        if (value === null) continue;
        if (fileName) form.set(name, new File([value], fileName, { type: fileName.endsWith(".md") ? "text/markdown" : "text/plain" }));
        else form.set(name, value);
      }
      return form;
    });
}

/** Applies one mutation to a JSON object body: a field of the wrong type, a required one dropped, or an adversarial string. */
function mutateArb(schema: JsonSchema, base: fc.Arbitrary<unknown>, kind: "wrong-type" | "missing-field" | "adversarial-field"): fc.Arbitrary<unknown> {
  const props = Object.entries(schema.properties ?? {});
  const required = schema.required ?? [];
  if (kind === "missing-field" && required.length > 0) {
    return fc.tuple(base, fc.constantFrom(...required)).map(([b, field]) => {
      const copy = { ...(b as object) } as Record<string, unknown>;
      delete copy[field];
      return copy;
    });
  }
  if (props.length === 0) return kind === "wrong-type" ? wrongTypeOf(schema) : base;
  const pick = fc.constantFrom(...props);
  const value = (prop: JsonSchema) => (kind === "adversarial-field" ? adversarialString() : wrongTypeOf(prop));
  return fc.tuple(base, pick.chain(([name, prop]) => value(prop).map((v) => [name, v] as const))).map(([b, [name, v]]) => ({ ...(b as object), [name]: v }));
}

type Weighted = { weight: number; arbitrary: fc.Arbitrary<Case> };

/** With a JSON body type, a minimal `{}` goes along, so a case about the path or the query is not refused for its body alone. */
function minimalBody(jsonType: string | undefined, body: unknown = {}): Pick<Case, "headers" | "body"> {
  return jsonType ? { headers: { "Content-Type": jsonType }, body: JSON.stringify(body) } : { headers: {} };
}

/** Every kind of case that applies to the operation, weighted so most are well-formed (they parse). */
export function caseArb(op: Operation, world: World): fc.Arbitrary<Case> {
  const opts = hintsOf(world);
  const values = pathValues(op, world);
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(values[name]!));
  const query = queryArb(op, opts).map(queryString);
  const kinds: Weighted[] = [];
  const add = (weight: number, kind: Kind, arb: fc.Arbitrary<Omit<Case, "kind">>) => kinds.push({ weight, arbitrary: arb.map((c) => ({ kind, ...c })) });

  const content = Object.entries(op.body?.content ?? {});
  const jsonType = content.find(([type]) => isJson(type));
  if (jsonType) {
    const [type, schema] = jsonType;
    const body = valueOf(schema, opts);
    const sendJson = (arb: fc.Arbitrary<unknown>) =>
      fc.tuple(arb, query).map(([b, q]) => ({ url: path + q, headers: { "Content-Type": type }, body: JSON.stringify(b) }));
    add(5, "schema-valid", sendJson(body));
    add(2, "wrong-type", sendJson(mutateArb(schema, body, "wrong-type")));
    if ((schema.required ?? []).length) add(1, "missing-field", sendJson(mutateArb(schema, body, "missing-field")));
    add(2, "adversarial-field", sendJson(mutateArb(schema, body, "adversarial-field")));
    add(1, "bad-json", fc.tuple(fc.constantFrom(...BAD_JSON), query).map(([b, q]) => ({ url: path + q, headers: { "Content-Type": type }, body: b })));
    const others = ["application/xml", "application/x-www-form-urlencoded", "image/png", "application/json-patch", "text/html"];
    add(1, "wrong-content-type", fc.tuple(body, fc.constantFrom(...others)).map(([b, t]) => ({ url: path, headers: { "Content-Type": t }, body: JSON.stringify(b) })));
  }
  for (const [type, schema] of content) {
    if (isJson(type)) continue;
    if (type === "multipart/form-data") add(2, "schema-valid", fc.tuple(formArb(schema, opts), query).map(([form, q]) => ({ url: path + q, headers: {}, body: form })));
    else add(2, "schema-valid", fc.tuple(rawBodyArb(type, op), query).map(([b, q]) => ({ url: path + q, headers: { "Content-Type": type }, body: b })));
  }
  if (content.length > 0 && !jsonType) {
    add(1, "wrong-content-type", fc.tuple(rawBodyArb(content[0]![0], op), fc.constantFrom("application/xml", "image/png", "application/octet-stream")).map(([b, t]) => ({ url: path, headers: { "Content-Type": t }, body: b })));
  }
  if (content.length === 0) {
    // No body: the path and the query are the input.
    add(3, "schema-valid", query.map((q) => ({ url: path + q, headers: {} })));
  }
  // Unknown and malformed query parameters, on every operation (unknown ones must be ignored).
  add(op.params.some((p) => p.in === "query") ? 2 : 1, "query-junk", queryJunkArb(op).map((q) => ({ url: path + q, ...minimalBody(jsonType?.[0]) })));
  const pathParams = op.params.filter((p) => p.in === "path");
  if (pathParams.length > 0) {
    const trick = fc.tuple(fc.constantFrom(...pathParams.map((p) => p.name)), fc.oneof(fc.constantFrom(...PATH_TRICKS), adversarialString(1, 80).map(encodeSegment)));
    add(2, "path-trick", trick.map(([name, raw]) => ({
      url: op.path.replace(/\{(\w+)\}/g, (_m, n: string) => (n === name ? raw : encodeSegment(values[n]!))),
      ...minimalBody(jsonType?.[0]),
    })));
  }
  return fc.oneof(...kinds);
}

/**
 * Every string field of the body and every string query parameter, each set to every hostile string
 * (lone surrogates, NUL, bidi, CRLF, broken escapes, traversal, 70,000 characters) on an otherwise
 * plain request: at most `max` cases, fields taken in turn, so each field meets the worst first.
 */
export function hostileSweep(op: Operation, world: World, max: number): Case[] {
  const opts = hintsOf(world);
  const values = pathValues(op, world);
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(values[name]!));
  const jsonType = Object.keys(op.body?.content ?? {}).find(isJson);
  const schema = jsonType ? op.body!.content[jsonType]! : null;
  const base = schema ? (baseValue(schema, opts) as Record<string, unknown>) : null;
  const queryParams = op.params.filter((p) => p.in === "query" && !p.schema.enum && (p.schema.type === "string" || p.schema.type === undefined));
  const targets: ((hostile: string) => Case)[] = [
    ...(schema && base && typeof base === "object" ? stringFields(schema) : []).map((field) => (hostile: string) => ({
      kind: "hostile-sweep" as const,
      url: path,
      headers: { "Content-Type": jsonType! },
      body: JSON.stringify({ ...base, [field]: hostile }),
    })),
    ...queryParams.map((p) => (hostile: string) => ({
      kind: "hostile-sweep" as const,
      url: path + queryString([[p.name, hostile]]),
      ...minimalBody(jsonType, base),
    })),
  ];
  const cases: Case[] = [];
  for (const hostile of HOSTILE_STRINGS) for (const target of targets) if (cases.length < max) cases.push(target(hostile));
  return cases;
}

/** A body one byte over the limit the operation's body is held to (the document limit for uploads and imports). */
export function oversizedCase(op: Operation, world: World, limit: number): Case | null {
  const types = Object.keys(op.body?.content ?? {});
  if (types.length === 0) return null;
  const type = types.find(isJson) ?? types[0]!;
  const values = pathValues(op, world);
  const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(values[name]!));
  const filler = "x".repeat(limit + 1 - 10);
  const body = isJson(type) ? JSON.stringify({ pad: filler }) : filler + "\n".repeat(11);
  return { kind: "oversized", url, headers: { "Content-Type": type }, body };
}

/** Header parameters (an Idempotency-Key) now and then, as a client sends them. */
export function withHeaders(op: Operation): fc.Arbitrary<Record<string, string>> {
  const headers = op.params.filter((p) => p.in === "header");
  if (headers.length === 0) return fc.constant({});
  return fc
    .tuple(...headers.map((h) => fc.option(fc.oneof(fc.uuid(), fc.constantFrom(...NASTY_STRINGS.slice(10, 20))).map((v) => [h.name, headerSafe(v)] as const), { freq: 4 })))
    .map((pairs) => Object.fromEntries(pairs.filter((p): p is readonly [string, string] => p !== null && p[1] !== "")));
}
