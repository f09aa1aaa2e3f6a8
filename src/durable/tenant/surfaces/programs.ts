import { ApiError } from "../../../errors";
import type { PageQuery } from "../../keyset";
import { createProgram, deleteProgram, getProgram, listPrograms, updateProgram, type ProgramRecord, type ProgramSpec } from "../programs";
import { Surface, surface } from "./surface";

/** Programs: versioned (schema, prompt) pairs; a version stays readable after edits, for datasets. */
export class ProgramsSurface extends Surface {
  /** Version 1 of a new program; conflict when a live program has that name. */
  create(name: string, spec: ProgramSpec): ProgramRecord {
    const created = createProgram(this.sql, name, spec);
    if (!created) throw new ApiError("conflict", `A program named ${name} exists; PUT /api/programs/${name} makes a new version.`);
    return created;
  }

  /** A new version (none when nothing changed). */
  update(name: string, spec: ProgramSpec): ProgramRecord {
    const updated = updateProgram(this.sql, name, spec);
    if (!updated) throw new ApiError("not_found", `No program ${name}.`);
    return updated.program;
  }

  /** The latest version of a live program, or the given version. */
  get(name: string, version?: number): ProgramRecord {
    const program = getProgram(this.sql, name, version);
    if (!program) throw new ApiError("not_found", `No program ${name}${version ? ` version ${version}` : ""}.`);
    return program;
  }

  /** Live programs' latest versions by name, a page after or before a name. */
  list(q: PageQuery): { data: ProgramRecord[]; has_more: boolean } {
    return listPrograms(this.sql, q);
  }

  /** Deletes every version. */
  delete(name: string): void {
    if (!deleteProgram(this.sql, name)) throw new ApiError("not_found", `No program ${name}.`);
  }
}
surface(ProgramsSurface, "programs");
