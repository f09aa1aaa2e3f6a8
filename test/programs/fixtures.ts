/** The seeds' programs, as Distillery programs. */
export const ALBUM_SCHEMA = {
  type: "object",
  description: "Data model for an album.",
  properties: {
    name: { type: "string" },
    artist: { type: "string" },
    songs: {
      type: "array",
      items: {
        type: "object",
        description: "Data model for a song.",
        properties: { title: { type: "string" }, length_seconds: { type: "integer" } },
        required: ["title", "length_seconds"],
      },
    },
  },
  required: ["name", "artist", "songs"],
};

export const ALBUM_TEMPLATE =
  "Generate an example album, with an artist and a list of songs. Using the movie {movie_name} as inspiration.";

export function albumProgram(mode: "tools" | "json", name = `album_${mode}`) {
  return { name, description: "Data model for an album.", output_schema: ALBUM_SCHEMA, prompt_template: ALBUM_TEMPLATE, mode };
}

export const CITATIONS_SCHEMA = {
  type: "object",
  description: "List of author citations. Extracted over unstructured text.",
  properties: {
    citations: {
      type: "array",
      description: "List of author citations (organized by author, year, and description).",
      items: {
        type: "object",
        description: "Citation class.",
        properties: {
          author: { type: "string", description: "Inferred first author (usually last name" },
          year: { type: "integer", description: "Inferred year" },
          desc: { type: "string", description: "Inferred description from the text of the work that the author is cited for" },
        },
        required: ["author", "year", "desc"],
      },
    },
  },
  required: ["citations"],
};

export const QA_TEMPLATE =
  "Context information is below.\n---------------------\n{context_str}\n---------------------\n" +
  "Given the context information and not prior knowledge, answer the query.\nQuery: {query_str}\nAnswer: ";

export function citationsProgram(mode: "tools" | "json", name = `citations_${mode}`) {
  return { name, description: "List of author citations.", output_schema: CITATIONS_SCHEMA, prompt_template: QA_TEMPLATE, mode };
}
