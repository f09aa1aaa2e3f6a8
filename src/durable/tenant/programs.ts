import { nowIso } from "../../lib/clock";
/** Programs (a JSON Schema + a prompt template), versioned, in the tenant's database. */
import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { first, json, num, oneOf, rowOf, text, textOrNull } from "../sql-rows";

/**
 * A JSON Schema document, typed shallowly on purpose: a recursive JSON type makes the
 * Durable Object stub's RPC types too deep for TypeScript. The schema is checked
 * (src/programs/schema) before it is stored.
 */
export type SchemaDocument = Record<string, string | number | boolean | null | object>;

export type ProgramMode = "tools" | "json";

export interface ProgramSpec {
  description: string;
  output_schema: SchemaDocument;
  prompt_template: string;
  mode: ProgramMode;
  system_prompt: string | null;
}

export interface ProgramRecord extends ProgramSpec {
  name: string;
  version: number;
  created_at: string;
}

const programRow = rowOf<ProgramRecord>()({
  name: text,
  version: num,
  description: text,
  output_schema: json<SchemaDocument>(),
  prompt_template: text,
  mode: oneOf<ProgramMode>(),
  system_prompt: textOrNull,
  created_at: text,
});

function latest(sql: SqlStorage, name: string): ProgramRecord | null {
  return first(programRow, sql, "SELECT * FROM programs WHERE name = ? AND deleted_at IS NULL ORDER BY version DESC LIMIT 1", name);
}

function insert(sql: SqlStorage, name: string, spec: ProgramSpec): ProgramRecord {
  // Versions keep counting across a delete and re-create, so a version number is never reused.
  const { v } = sql.exec<{ v: number }>("SELECT COALESCE(MAX(version), 0) AS v FROM programs WHERE name = ?", name).one();
  sql.exec(
    `INSERT INTO programs (name, version, description, output_schema, prompt_template, mode, system_prompt, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    name,
    v + 1,
    spec.description,
    JSON.stringify(spec.output_schema),
    spec.prompt_template,
    spec.mode,
    spec.system_prompt,
    nowIso(),
  );
  return getProgram(sql, name, v + 1)!;
}

/** Creates version 1 of a new program; null when a live program has that name. */
export function createProgram(sql: SqlStorage, name: string, spec: ProgramSpec): ProgramRecord | null {
  if (latest(sql, name)) return null;
  return insert(sql, name, spec);
}

/** Adds a version (none when nothing changed); null when there is no such live program. */
export function updateProgram(sql: SqlStorage, name: string, spec: ProgramSpec): { program: ProgramRecord; changed: boolean } | null {
  const current = latest(sql, name);
  if (!current) return null;
  const same =
    current.description === spec.description &&
    JSON.stringify(current.output_schema) === JSON.stringify(spec.output_schema) &&
    current.prompt_template === spec.prompt_template &&
    current.mode === spec.mode &&
    current.system_prompt === spec.system_prompt;
  if (same) return { program: current, changed: false };
  return { program: insert(sql, name, spec), changed: true };
}

/** A live program's latest version, or a given version (kept readable after edits, for datasets). */
export function getProgram(sql: SqlStorage, name: string, version?: number): ProgramRecord | null {
  if (version === undefined) return latest(sql, name);
  return first(programRow, sql, "SELECT * FROM programs WHERE name = ? AND version = ? AND deleted_at IS NULL", name, version);
}

/** The latest version of every live program, by name, keyset-paged after or before a name (a program's id). */
export function listPrograms(sql: SqlStorage, q: PageQuery): { data: ProgramRecord[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: `SELECT p.name AS _key, p.* FROM programs p
               JOIN (SELECT name, MAX(version) AS v FROM programs WHERE deleted_at IS NULL GROUP BY name) m ON p.name = m.name AND p.version = m.v`,
      where: [],
      args: [],
      key: "p.name",
      order: "asc",
      cursor: keyOf(sql, "SELECT name AS _key FROM programs WHERE name = ? LIMIT 1"),
      noun: "program",
    },
    q,
  );
  return { data: page.rows.map(programRow), has_more: page.has_more };
}

/** Deletes every version; false when there was no live program. */
export function deleteProgram(sql: SqlStorage, name: string): boolean {
  if (!latest(sql, name)) return false;
  sql.exec("UPDATE programs SET deleted_at = ? WHERE name = ? AND deleted_at IS NULL", nowIso(), name);
  return true;
}
