import { z } from "@hono/zod-openapi";

/**
 * OpenAI's list conventions, shared by every list route: the query `limit`/`after`/`before` and the
 * envelope `{object: "list", data, first_id, last_id, has_more}`. Users page Distillery the way
 * they page OpenAI (and the `openai` SDK's cursor pages read it as is).
 */

const cursor = (what: string) =>
  z
    .string()
    .min(1)
    .max(128)
    .optional()
    .openapi({ description: `An id from this list: the page ${what} it (an unknown id is a 400)` });

/** `limit` (1..max, default `fallback`), `after`, `before`; extend it with a list's own filters. */
export function pageQuery(opts: { max?: number; fallback?: number } = {}) {
  const max = opts.max ?? 100;
  return z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(max)
      .default(opts.fallback ?? 20)
      .openapi({ description: `Items per page, 1 to ${max}` }),
    after: cursor("after"),
    before: cursor("before"),
    // The integer `cursor` these lists took before: a 400 naming `after`, not a first page for ever.
    cursor: z
      .string()
      .optional()
      .refine((v) => v === undefined, "cursor is gone: page with after or before (an item id)")
      .openapi({ description: "Removed: use `after` (any value is a 400)" }),
  });
}

/** The list envelope around `item`. */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({
    object: z.literal("list"),
    data: z.array(item),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean().openapi({ description: "More items lie beyond this page in the direction of paging" }),
  });
}

/** The list envelope of a page. */
export function listBody<T extends { id: string }>(data: T[], has_more: boolean) {
  return { object: "list" as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more };
}

/** The page arguments of a validated query, without absent keys (RPC callers take exact optional types). */
export function pageOf(q: { limit: number; after?: string | undefined; before?: string | undefined; cursor?: string | undefined }) {
  return { limit: q.limit, ...(q.after ? { after: q.after } : {}), ...(q.before ? { before: q.before } : {}) };
}
