import { describe, expect, it } from "vitest";
import {
  checkOutputSchema,
  compileOutputValidator,
  fromStrictOutput,
  schemaPromptText,
  strictCompatible,
} from "../../src/programs/schema";

/*
 * The seeds' pydantic models (LlamaIndex's OpenAI function-calling fine-tuning example):
 *   class Song(BaseModel): title: str; length_seconds: int
 *   class Album(BaseModel): name: str; artist: str; songs: List[Song]
 *   class Citation(BaseModel): author: str; year: int; desc: str   (each with a Field description)
 *   class Response(BaseModel): citations: List[Citation]
 * as written by hand (inline) and as pydantic v2 (`$defs`) and v1 (`definitions`) emit them.
 */

const albumInline = {
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

/** `Album.model_json_schema()` in pydantic v2. */
const albumPydantic = {
  $defs: {
    Song: {
      description: "Data model for a song.",
      properties: {
        title: { title: "Title", type: "string" },
        length_seconds: { title: "Length Seconds", type: "integer" },
      },
      required: ["title", "length_seconds"],
      title: "Song",
      type: "object",
    },
  },
  description: "Data model for an album.",
  properties: {
    name: { title: "Name", type: "string" },
    artist: { title: "Artist", type: "string" },
    songs: { items: { $ref: "#/$defs/Song" }, title: "Songs", type: "array" },
  },
  required: ["name", "artist", "songs"],
  title: "Album",
  type: "object",
};

/** `Album.schema()` in pydantic v1. */
const albumPydanticV1 = {
  title: "Album",
  description: "Data model for an album.",
  type: "object",
  properties: {
    name: { title: "Name", type: "string" },
    artist: { title: "Artist", type: "string" },
    songs: { title: "Songs", type: "array", items: { $ref: "#/definitions/Song" } },
  },
  required: ["name", "artist", "songs"],
  definitions: {
    Song: {
      title: "Song",
      description: "Data model for a song.",
      type: "object",
      properties: { title: { title: "Title", type: "string" }, length_seconds: { title: "Length Seconds", type: "integer" } },
      required: ["title", "length_seconds"],
    },
  },
};

/** `Response.model_json_schema()` in pydantic v2. */
const responsePydantic = {
  $defs: {
    Citation: {
      description: "Citation class.",
      properties: {
        author: { description: "Inferred first author (usually last name", title: "Author", type: "string" },
        year: { description: "Inferred year", title: "Year", type: "integer" },
        desc: {
          description: "Inferred description from the text of the work that the author is cited for",
          title: "Desc",
          type: "string",
        },
      },
      required: ["author", "year", "desc"],
      title: "Citation",
      type: "object",
    },
  },
  description: "List of author citations.\n\nExtracted over unstructured text.",
  properties: {
    citations: {
      description: "List of author citations (organized by author, year, and description).",
      items: { $ref: "#/$defs/Citation" },
      title: "Citations",
      type: "array",
    },
  },
  required: ["citations"],
  title: "Response",
  type: "object",
};

const goodAlbum = {
  name: "Overlook",
  artist: "The Caretakers",
  songs: [
    { title: "Room 237", length_seconds: 237 },
    { title: "All Work", length_seconds: 181 },
    { title: "Redrum", length_seconds: 199 },
  ],
};

describe("seed schemas: Album/Song", () => {
  for (const [name, schema] of [
    ["inline", albumInline],
    ["pydantic v2 ($defs)", albumPydantic],
    ["pydantic v1 (definitions)", albumPydanticV1],
  ] as const) {
    it(`accepts the ${name} Album schema and validates a good album`, () => {
      const { validate } = checkOutputSchema(schema);
      expect(validate(goodAlbum)).toEqual({ ok: true, value: goodAlbum });
      expect(validate({ ...goodAlbum, songs: [] }).ok).toBe(true);
    });

    it(`rejects bad albums (${name}) with readable paths`, () => {
      const { validate } = checkOutputSchema(schema);
      const bad = {
        name: "Overlook",
        artist: 42,
        songs: [{ title: "Room 237", length_seconds: 237 }, { length_seconds: 181 }, { title: "Redrum", length_seconds: "3:19" }],
      };
      const result = validate(bad);
      expect(result).toEqual({
        ok: false,
        errors: [
          { path: "artist", message: "expected string, got 42" },
          { path: "songs[1].title", message: "is required but missing" },
          { path: "songs[2].length_seconds", message: 'expected integer, got "3:19"' },
        ],
      });
      expect(validate({ name: "x", artist: "y", songs: [{ title: "t", length_seconds: 199.5 }] })).toEqual({
        ok: false,
        errors: [{ path: "songs[0].length_seconds", message: "expected integer, got 199.5" }],
      });
      expect(validate({ name: "x", artist: "y" })).toEqual({ ok: false, errors: [{ path: "songs", message: "is required but missing" }] });
    });
  }

  it("keeps the descriptions and the $ref in the normalized schema", () => {
    const { schema } = checkOutputSchema(albumPydantic);
    expect(schema.description).toBe("Data model for an album.");
    expect(schema.properties.songs!.items).toEqual({ $ref: "#/$defs/Song" });
    expect(schema.$defs!.Song!.description).toBe("Data model for a song.");
    expect(checkOutputSchema(albumPydanticV1).schema.$defs!.Song!.description).toBe("Data model for a song.");
  });
});

describe("seed schemas: Response/Citation", () => {
  it("accepts the pydantic Response schema and validates citations", () => {
    const { validate } = checkOutputSchema(responsePydantic);
    const good = {
      citations: [
        { author: "Touvron", year: 2023, desc: "Llama 2 pretraining and fine-tuning" },
        { author: "Ouyang", year: 2022, desc: "RLHF with human feedback" },
      ],
    };
    expect(validate(good)).toEqual({ ok: true, value: good });
    expect(validate({ citations: [] }).ok).toBe(true);
  });

  it("rejects bad citations with readable paths", () => {
    const { validate } = checkOutputSchema(responsePydantic);
    expect(
      validate({ citations: [{ author: "Touvron", year: 2023, desc: "x" }, { author: "Ouyang", year: "2022", desc: null }] }),
    ).toEqual({
      ok: false,
      errors: [
        { path: "citations[1].year", message: 'expected integer, got "2022"' },
        { path: "citations[1].desc", message: "expected string, got null" },
      ],
    });
    expect(validate({ citations: { author: "x" } })).toEqual({
      ok: false,
      errors: [{ path: "citations", message: "expected array, got an object" }],
    });
    expect(validate([])).toEqual({ ok: false, errors: [{ path: "", message: "expected object, got an array (0 items)" }] });
  });

  it("validates the stored (unnormalized) schema the same way", () => {
    const validate = compileOutputValidator(albumPydanticV1);
    expect(validate(goodAlbum).ok).toBe(true);
    expect(validate({ ...goodAlbum, songs: [{ title: 1, length_seconds: 1 }] }).ok).toBe(false);
  });
});

describe("seed schemas: strict structured outputs", () => {
  it("pydantic's Album needs additionalProperties: false to be strict; the strict version keeps validating", () => {
    const result = strictCompatible(albumPydantic);
    expect(result.ok).toBe(false);
    if (result.ok || !result.strict) throw new Error("expected a strict version");
    expect(result.reasons).toEqual(["additionalProperties set to false: output_schema, output_schema.$defs.Song"]);
    expect(result.strict.additionalProperties).toBe(false);
    expect(result.strict.$defs!.Song!.additionalProperties).toBe(false);
    expect(result.strict.required).toEqual(["name", "artist", "songs"]);
    expect(result.strict.properties.songs).toEqual(albumPydantic.properties.songs);
    // The strict version is itself inside the supported subset, and it qualifies as is.
    const checked = checkOutputSchema(result.strict);
    expect(checked.validate(goodAlbum).ok).toBe(true);
    expect(strictCompatible(result.strict)).toEqual({ ok: true, schema: result.strict });
    expect(fromStrictOutput(goodAlbum, albumPydantic)).toEqual(goodAlbum);
  });

  it("pydantic's Response has a strict version that keeps every description", () => {
    const result = strictCompatible(responsePydantic);
    if (result.ok || !result.strict) throw new Error("expected a strict version");
    expect(result.reasons).toEqual(["additionalProperties set to false: output_schema, output_schema.$defs.Citation"]);
    const citation = result.strict.$defs!.Citation!;
    expect(citation.required).toEqual(["author", "year", "desc"]);
    expect(citation.properties!.year).toEqual({ description: "Inferred year", title: "Year", type: "integer" });
    expect(result.strict.properties.citations!.description).toMatch(/organized by author/);
  });

  it("an Album written for strict mode qualifies as is", () => {
    const strictAlbum = {
      ...albumInline,
      additionalProperties: false,
      properties: {
        ...albumInline.properties,
        songs: { ...albumInline.properties.songs, items: { ...albumInline.properties.songs.items, additionalProperties: false } },
      },
    };
    expect(strictCompatible(strictAlbum)).toEqual({ ok: true, schema: strictAlbum });
  });

  it("pydantic v1's definitions are renamed in the strict version", () => {
    const result = strictCompatible(albumPydanticV1);
    if (result.ok || !result.strict) throw new Error("expected a strict version");
    expect(result.reasons).toContain("definitions renamed $defs");
    expect(result.strict.properties.songs!.items).toEqual({ $ref: "#/$defs/Song" });
  });
});

describe("seed schemas: prompt text for JSON mode", () => {
  it("renders the Album schema compactly, without pydantic's titles", () => {
    expect(schemaPromptText(albumPydantic)).toBe(
      "Here's a JSON schema to follow:\n" +
        '{"type":"object","description":"Data model for an album.","properties":{"name":{"type":"string"},' +
        '"artist":{"type":"string"},"songs":{"type":"array","items":{"$ref":"#/$defs/Song"}}},' +
        '"required":["name","artist","songs"],"$defs":{"Song":{"type":"object","description":"Data model for a song.",' +
        '"properties":{"title":{"type":"string"},"length_seconds":{"type":"integer"}},"required":["title","length_seconds"]}}}\n\n' +
        "Output a valid JSON object but do not repeat the schema.",
    );
  });

  it("is deterministic: keyword order does not change it, property order does", () => {
    const citation = responsePydantic.$defs.Citation;
    const shuffled = {
      ...Object.fromEntries(Object.entries(responsePydantic).reverse()),
      $defs: { Citation: Object.fromEntries(Object.entries(citation).reverse()) },
    };
    expect(schemaPromptText(shuffled)).toBe(schemaPromptText(responsePydantic));
    expect(schemaPromptText(responsePydantic)).toBe(schemaPromptText(structuredClone(responsePydantic)));
    const fieldsReordered = {
      ...responsePydantic,
      $defs: { Citation: { ...citation, properties: { year: citation.properties.year, author: citation.properties.author, desc: citation.properties.desc } } },
    };
    // Properties keep their order: it is the order the model writes them in.
    expect(schemaPromptText(fieldsReordered)).not.toBe(schemaPromptText(responsePydantic));
    const text = schemaPromptText(responsePydantic);
    for (const needle of ["citations", "author", "year", "desc", "Inferred year", "Inferred first author (usually last name"]) {
      expect(text).toContain(needle);
    }
    expect(text).not.toContain('"title"');
  });
});
