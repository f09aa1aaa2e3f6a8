/** The seeds' programs (samples/programs/*.json, shared with the demo), as Distillery programs. */
import album from "../../samples/programs/album.json";
import citations from "../../samples/programs/citations.json";

export const ALBUM_SCHEMA = album.output_schema;
export const CITATIONS_SCHEMA = citations.output_schema;
export const QA_TEMPLATE = citations.prompt_template;

export function albumProgram(mode: "tools" | "json", name = `album_${mode}`) {
  return { name, mode, ...album };
}

export function citationsProgram(mode: "tools" | "json", name = `citations_${mode}`) {
  return { name, mode, ...citations };
}
