/**
 * True when a regular expression repeats a group that itself repeats without bound, as in
 * `(a+)+` or `(\w+\s?)*`: the shape that backtracks exponentially on a near-miss. Patterns run
 * on model outputs inside the Worker, so a tenant's pattern must not be able to burn its CPU.
 * A heuristic: it misses overlapping alternations such as `(a|a)*`, and refuses some safe
 * delimited repeats such as `([a-z]+\.)+` (write `[a-z.]+` or use a format instead).
 */
export function hasNestedQuantifier(pattern: string): boolean {
  // For each open group: whether something inside it repeats without bound.
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      continue;
    }
    if (ch === "[") inClass = true;
    else if (ch === "(") groups.push(false);
    else if (ch === ")") {
      const inner = groups.pop() ?? false;
      const repeated = unboundedAt(pattern, i + 1);
      if (inner && repeated) return true;
      if ((inner || repeated) && groups.length > 0) groups[groups.length - 1] = true;
    } else if (unboundedAt(pattern, i) && groups.length > 0) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}

/** Whether the pattern has an unbounded quantifier (`*`, `+`, `{n,}`) at `i`. */
function unboundedAt(pattern: string, i: number): boolean {
  const ch = pattern[i];
  if (ch === "*" || ch === "+") return true;
  return ch === "{" && /^\{\d+,\}/.test(pattern.slice(i));
}
