/**
 * Checks a tenant-supplied `webhook_url` before it is stored, so that Distillery does not
 * POST job events to its own network or a cloud's metadata endpoint on a tenant's behalf.
 *
 * What this can and cannot catch:
 * - It judges the URL as the WHATWG URL parser normalises it, so IPv4 written in odd forms
 *   (`https://2130706433`, `https://0x7f.1`, `https://0177.0.0.1`, `https://127.1`) is seen as
 *   the dotted quad it means, and IPv6 in its compressed form (`[::ffff:127.0.0.1]` is
 *   `[::ffff:7f00:1]`).
 * - Workers have no DNS lookup API, so a public name that resolves to a private address
 *   (`10.0.0.1.nip.io`, a rebinding domain) cannot be caught here. Cloudflare documents
 *   Workers VPC (a binding to a Cloudflare Tunnel) as the way a Worker reaches services in
 *   a private network; we found no page that states a plain `fetch()` from a deployed Worker
 *   refuses private or loopback addresses, so this check does not lean on that.
 * - `WEBHOOK_DENY_HOSTS` is the operator's tool for known internal names (see `parseDenyList`).
 * - Any port is allowed: a receiver on `:8443` is ordinary. (Deployed Workers honour a custom
 *   port only under the `allow_custom_ports` compatibility behaviour.)
 * - Redirects are never followed at delivery (`redirect: "manual"`), so a checked host
 *   cannot bounce the request elsewhere.
 */
import { ApiError } from "../errors";

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** Why a webhook URL was refused; `details[0].reason` in the `validation_failed` error. */
export type WebhookUrlReason =
  | "too_long"
  | "invalid_url"
  | "not_https"
  | "credentials"
  | "localhost"
  | "private_address"
  | "denied_host";

/** Returns the parsed URL, or throws `validation_failed` (400) saying why it cannot be a webhook target. */
export function checkWebhookUrl(raw: string, denyList: readonly string[]): URL {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) {
    refuse("too_long", `webhook_url is longer than ${WEBHOOK_URL_MAX_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("invalid_url", "webhook_url is not an absolute URL.");
  }
  if (url.protocol !== "https:") refuse("not_https", "webhook_url must use https.");
  if (url.username || url.password) refuse("credentials", "webhook_url must not contain a user name or password.");

  const host = stripTrailingDots(url.hostname);
  if (host === "localhost" || host.endsWith(".localhost")) {
    refuse("localhost", "webhook_url must not point at localhost.");
  }
  const v4 = parseIpv4(host);
  if (v4 !== null && isDeniedIpv4(v4)) {
    refuse("private_address", "webhook_url must not point at a private, loopback or reserved IPv4 address.");
  }
  if (host.startsWith("[")) {
    const v6 = parseIpv6(host.slice(1, -1));
    if (v6 === null || isDeniedIpv6(v6)) {
      refuse("private_address", "webhook_url must not point at a private, loopback or reserved IPv6 address.");
    }
  }
  if (denyList.some((entry) => hostMatches(host, entry))) {
    refuse("denied_host", "webhook_url points at a host this service does not deliver to.");
  }
  return url;
}

/** Splits `WEBHOOK_DENY_HOSTS` (commas and/or whitespace) into normalised entries; unset means none. */
export function parseDenyList(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(/[\s,]+/)
    .map(normaliseEntry)
    .filter((e): e is string => e !== null);
}

function refuse(reason: WebhookUrlReason, message: string): never {
  throw new ApiError("validation_failed", message, { details: [{ path: "webhook_url", message, reason }] });
}

function stripTrailingDots(host: string): string {
  return host.toLowerCase().replace(/\.+$/, "");
}

/**
 * An entry as `*.x` / `.x` (suffix only) or `x` (itself and its subdomains), lower-cased,
 * trailing dot dropped, and run through the URL parser so that an IP or IDN entry is
 * written the way a parsed hostname is.
 */
function normaliseEntry(raw: string): string | null {
  let entry = raw.trim().toLowerCase();
  let prefix = "";
  if (entry.startsWith("*.")) [prefix, entry] = [".", entry.slice(2)];
  else if (entry.startsWith(".")) [prefix, entry] = [".", entry.slice(1)];
  entry = stripTrailingDots(entry);
  if (!entry) return null;
  const asHost = entry.includes(":") && !entry.startsWith("[") ? `[${entry}]` : entry;
  try {
    const parsed = stripTrailingDots(new URL(`https://${asHost}/`).hostname);
    if (parsed) entry = parsed;
  } catch {
    // Not a valid host: keep the lower-cased text, which then matches nothing real.
  }
  return prefix + entry;
}

function hostMatches(host: string, rawEntry: string): boolean {
  const entry = normaliseEntry(rawEntry);
  if (entry === null) return false;
  if (entry.startsWith(".")) return host.endsWith(entry);
  return host === entry || host.endsWith(`.${entry}`);
}

/** A dotted quad (the only form a parsed https hostname has) as a 32-bit number, else null. */
function parseIpv4(host: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** [network, prefix length] pairs no webhook may target. */
const DENIED_V4: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, incl. cloud metadata 169.254.169.254
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast 255.255.255.255
];
const DENIED_V4_RANGES = DENIED_V4.map(([net, bits]) => [parseIpv4(net)!, bits] as const);

function isDeniedIpv4(ip: number): boolean {
  return DENIED_V4_RANGES.some(([net, bits]) => Math.floor(ip / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
}

/** Eight 16-bit groups of an IPv6 address as the URL parser serialises it (hex, `::`), else null. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s ? s.split(":") : []);
  const head = groups(halves[0] ?? "");
  const tail = groups(halves[1] ?? "");
  // A trailing dotted IPv4 (never emitted by the URL serialiser, accepted for safety).
  const last = tail.length ? tail : head;
  const v4 = last.length ? parseIpv4(last[last.length - 1]!) : null;
  if (v4 !== null) last.splice(-1, 1, (v4 >>> 16).toString(16), (v4 & 0xffff).toString(16));
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

function isDeniedIpv6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = g6 * 65536 + g7;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(7) && (g7 === 0 || g7 === 1)) return true; // :: unspecified, ::1 loopback
  if (zeroTo(5) && g5 === 0xffff) return isDeniedIpv4(embeddedV4); // ::ffff:a.b.c.d mapped
  if (zeroTo(6)) return true; // ::a.b.c.d, deprecated IPv4-compatible
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isDeniedIpv4(embeddedV4); // 64:ff9b::/96 NAT64
  }
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique-local
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  return false;
}
