/**
 * A hand-checkable dataset: 12 valid examples (6 tools mode, 6 JSON mode, as capture makes
 * them), one well-formed but over every training context, and three known bad lines. Stored
 * token counts make every figure of the report computable by hand (see the test).
 */

export const ALBUM_TOOL = {
  type: "function",
  function: {
    name: "album",
    description: "The soundtrack album of a movie",
    parameters: {
      type: "object",
      properties: { title: { type: "string" }, tracks: { type: "array", items: { type: "string" } } },
      required: ["title", "tracks"],
      additionalProperties: false,
    },
    strict: true,
  },
} as const;

const SYSTEM = { role: "system", content: "You list soundtrack albums." };

/** Tools mode, exactly the shape src/programs/run.ts captures: the answer is a tool call with no content. */
export function toolsExample(movie: string) {
  const args = JSON.stringify({ title: `${movie} (Original Soundtrack)`, tracks: ["Main Title"] });
  return {
    messages: [
      SYSTEM,
      { role: "user", content: `Movie: ${movie}` },
      { role: "assistant", tool_calls: [{ id: "call_0", type: "function", function: { name: "album", arguments: args } }] },
    ],
    tools: [ALBUM_TOOL],
    parallel_tool_calls: false,
  };
}

/** JSON mode: the answer is JSON text in the assistant's content. */
export function jsonExample(movie: string) {
  return {
    messages: [
      SYSTEM,
      { role: "user", content: `Movie: ${movie}\n\nAnswer with JSON: {"title": string, "tracks": string[]}` },
      { role: "assistant", content: JSON.stringify({ title: `${movie} (Original Soundtrack)`, tracks: ["Main Title"] }) },
    ],
  };
}

const MOVIES = ["The Shining", "The Departed", "Titanic", "Goodfellas", "Pretty Woman", "Home Alone"];

/** Stored counts of lines 1–12: 100, 110, …, 210 (sum 1,860). */
export const VALID_TOKENS = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210];

/** Line 13's count: over OpenAI's 65,536 and Together's 131,072. */
export const OVER_LIMIT_TOKENS = 140_000;

export interface FixtureRow {
  line: number;
  example: unknown;
  tokens: number | null;
}

/** Lines 1–16 of the fixture. */
export function fixtureRows(): FixtureRow[] {
  const valid = VALID_TOKENS.map((tokens, i) => ({
    line: i + 1,
    // Odd lines tools mode, even lines JSON mode.
    example: i % 2 === 0 ? toolsExample(MOVIES[i >> 1]!) : jsonExample(MOVIES[i >> 1]!),
    tokens,
  }));
  return [
    ...valid,
    { line: 13, example: jsonExample("Caged Fury"), tokens: OVER_LIMIT_TOKENS },
    // 14: arguments as an object instead of JSON text → invalid_arguments.
    {
      line: 14,
      example: {
        messages: [
          SYSTEM,
          { role: "user", content: "Movie: Heat" },
          { role: "assistant", tool_calls: [{ id: "call_0", type: "function", function: { name: "album", arguments: { title: "Heat" } } }] },
        ],
        tools: [ALBUM_TOOL],
      },
      tokens: 90,
    },
    // 15: the legacy format → legacy_functions twice (top-level `functions`, `function_call`).
    {
      line: 15,
      example: {
        messages: [
          { role: "user", content: "Movie: Alien" },
          { role: "assistant", function_call: { name: "album", arguments: "{}" } },
        ],
        functions: [ALBUM_TOOL.function],
      },
      tokens: 80,
    },
    // 16: a user message with empty content → missing_content.
    { line: 16, example: { messages: [SYSTEM, { role: "user", content: "" }, { role: "assistant", content: "{}" }] }, tokens: 70 },
  ];
}
