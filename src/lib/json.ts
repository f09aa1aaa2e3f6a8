/** A JSON value: what crosses a Durable Object RPC boundary and what SQLite stores as text. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
