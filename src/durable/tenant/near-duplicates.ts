/** Near-duplicate questions in a dataset (see markNearDuplicates). */

/** Jaccard similarity of normalised question words above which two same-answer questions are one. */
export const NEAR_DUPLICATE_THRESHOLD = 0.8;

/**
 * Near-duplicates: two labeled questions whose normalised word sets overlap at least
 * `threshold` (Jaccard) and whose answers are identical are one example said twice; the
 * later one is rejected as `near_duplicate`. Only rows with the same answer are compared,
 * so the cost stays near linear. Returns how many were rejected.
 */
export function markNearDuplicates(sql: SqlStorage, datasetId: string, threshold: number): number {
  const rows = sql
    .exec<{ id: string; question: string; answer: string }>(
      `SELECT id, question, COALESCE(json_extract(example, '$.messages[#-1].tool_calls[0].function.arguments'),
         json_extract(example, '$.messages[#-1].content')) AS answer
       FROM dataset_rows WHERE dataset_id = ? AND status = 'labeled' AND question IS NOT NULL AND answer IN (
         SELECT COALESCE(json_extract(example, '$.messages[#-1].tool_calls[0].function.arguments'), json_extract(example, '$.messages[#-1].content')) AS a
         FROM dataset_rows WHERE dataset_id = ? AND status = 'labeled' GROUP BY a HAVING COUNT(*) > 1)
       ORDER BY rowid`,
      datasetId,
      datasetId,
    )
    .toArray();
  const kept = new Map<string, Set<string>[]>();
  let rejected = 0;
  for (const row of rows) {
    const words = new Set(row.question.toLowerCase().normalize("NFKC").split(/[^\p{L}\p{N}]+/u).filter(Boolean));
    const group = kept.get(row.answer) ?? [];
    if (group.some((other) => jaccard(words, other) >= threshold)) {
      sql.exec("UPDATE dataset_rows SET status = 'rejected', reason = 'near_duplicate' WHERE id = ?", row.id);
      rejected++;
    } else {
      group.push(words);
      kept.set(row.answer, group);
    }
  }
  return rejected;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 1 : inter / union;
}
