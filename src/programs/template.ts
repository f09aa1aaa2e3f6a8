import { ApiError } from "../errors";

/** `{name}` is a placeholder; `{{` and `}}` are literal braces; any other brace is literal text. */
const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type TemplateValue = string | number | boolean;

/** The placeholder names a template uses, in first-use order. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(TOKEN)) if (m[1]) names.add(m[1]);
  return [...names];
}

/**
 * Fills a `{variable}` template (LlamaIndex / Python `str.format` style). A missing
 * or an unknown variable is a 400 that names it, so a typo never reaches a model.
 */
export function renderTemplate(template: string, variables: Readonly<Record<string, TemplateValue>>, allowExtra: readonly string[] = []): string {
  const used = templateVariables(template);
  const missing = used.filter((n) => !(n in variables));
  const unknown = Object.keys(variables).filter((n) => !used.includes(n) && !allowExtra.includes(n));
  if (missing.length > 0 || unknown.length > 0) {
    const details = [
      ...missing.map((n) => ({ path: `variables.${n}`, message: "missing: the template uses it" })),
      ...unknown.map((n) => ({ path: `variables.${n}`, message: "unknown: the template does not use it" })),
    ];
    const parts = [
      missing.length ? `missing ${missing.map((n) => `{${n}}`).join(", ")}` : "",
      unknown.length ? `unknown ${unknown.join(", ")}` : "",
    ].filter(Boolean);
    throw new ApiError("validation_failed", `Template variables: ${parts.join("; ")}.`, { details });
  }
  return template.replace(TOKEN, (whole, name?: string) => {
    if (whole === "{{") return "{";
    if (whole === "}}") return "}";
    return String(variables[name!]);
  });
}
