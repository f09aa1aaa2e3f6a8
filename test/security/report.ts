import type { RouteInfo } from "./inventory";

/**
 * Prints past the suite-wide console capture (test/setup/no-secrets.ts shows nothing of what it
 * captures unless DISTILLERY_TEST_LOGS is set): the summary is meant to be read on every run, so it
 * goes to the console beneath the capture, which the setup keeps for such summaries.
 */
function print(text: string): void {
  const printer = (globalThis as { __printUncaptured?: (text: string) => void }).__printUncaptured;
  if (!printer) throw new Error("test/setup/no-secrets.ts did not run: nothing to print the summary with");
  printer(text);
}

/** Prints routes × probes = requests sent, the public routes, and each exemption with its reason. */
export function printSummary(opts: {
  routes: RouteInfo[];
  sent: Map<string, Map<string, number>>;
  credentialProbes: string[];
  ownershipProbe: string;
  exemptions: { route: string; probe: string; reason: string }[];
}): void {
  const guarded = opts.routes.filter((r) => r.access !== "public");
  const perProbe = (probe: string) => [...opts.sent.values()].reduce((sum, m) => sum + (m.get(probe) ?? 0), 0);
  const routesWith = (probe: string) => [...opts.sent.values()].filter((m) => m.has(probe)).length;
  const credential = opts.credentialProbes.map(perProbe).reduce((a, b) => a + b, 0);
  const owned = perProbe(opts.ownershipProbe);
  const lines = [
    `security suite: ${guarded.length} routes × ${opts.credentialProbes.length} credential probes = ${credential} requests; ` +
      `${routesWith(opts.ownershipProbe)} routes with ids × ${opts.ownershipProbe} = ${owned} requests; ${credential + owned} in all`,
    `  credential probes: ${opts.credentialProbes.join(", ")}`,
    `  ${opts.ownershipProbe}: one request per value of the kind (a dataset: its id and its name)`,
    `  public by rule (no OpenAPI security): ${opts.routes.filter((r) => r.access === "public").map((r) => r.key).join(", ")}`,
    `  excluded by rule: middleware (ALL, *), preflight OPTIONS`,
    ...opts.exemptions.map((e) => `  exempt: ${e.route}, "${e.probe}": ${e.reason}`),
  ];
  print(lines.join("\n"));
}
