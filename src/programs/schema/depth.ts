import { isPlainObject } from "./paths";
import type { OutputSchemaNode } from "./types";
import { refName } from "./walk";

interface Height {
  levels: number;
  /** The deepest output path, as `songs[].title`. */
  path: string;
}

/**
 * How deeply an output of this schema can nest (`a.b[].c` is 3), following `$ref`s. Each
 * definition is measured once; a reference back into a definition being measured (recursion)
 * counts as no further nesting, since recursion is bounded by the output, not the schema.
 */
export function nestingDepth(root: OutputSchemaNode & { $defs?: Record<string, OutputSchemaNode> }): Height {
  const memo = new Map<string, Height>();
  const inProgress = new Set<string>();

  const height = (node: unknown): Height => {
    let best: Height = { levels: 0, path: "" };
    if (!isPlainObject(node)) return best;
    const consider = (child: Height, prefix: string, step: number) => {
      if (child.levels + step > best.levels) best = { levels: child.levels + step, path: prefix + child.path };
    };
    if (isPlainObject(node.properties)) {
      for (const [name, child] of Object.entries(node.properties)) {
        const h = height(child);
        consider(h, h.path.startsWith("[") || h.path === "" ? name : `${name}.`, 1);
      }
    }
    if (isPlainObject(node.items)) {
      const h = height(node.items);
      consider(h, h.path.startsWith("[") || h.path === "" ? "[]" : "[].", 1);
    }
    for (const key of ["anyOf", "allOf"] as const) {
      if (Array.isArray(node[key])) for (const option of node[key]) consider(height(option), "", 0);
    }
    const name = typeof node.$ref === "string" ? refName(node.$ref) : undefined;
    if (name !== undefined && root.$defs && Object.hasOwn(root.$defs, name) && !inProgress.has(name)) {
      let h = memo.get(name);
      if (!h) {
        inProgress.add(name);
        h = height(root.$defs[name]);
        inProgress.delete(name);
        memo.set(name, h);
      }
      consider(h, "", 0);
    }
    return best;
  };

  return height(root);
}
