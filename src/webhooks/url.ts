/**
 * Checks a tenant-supplied `webhook_url` before it is stored, so that Distillery does not
 * POST job events to its own network or a cloud's metadata endpoint on a tenant's behalf.
 *
 * What this can and cannot catch:
 * - It judges the URL as the WHATWG URL parser normalises it, so IPv4 written in odd forms
 *   (`https://2130706433`, `https://0x7f.1`, `https://0177.0.0.1`, `https://127.1`) is seen as
 *   the dotted quad it means, and IPv6 in its compressed form (`[::ffff:127.0.0.1]` is
 *   `[::ffff:7f00:1]`). The address is classified by `ipaddr.js` (its named special ranges);
 *   an IPv6 address that stands for an IPv4 one (mapped, NAT64, IPv4-compatible, 6to4) is
 *   judged as that IPv4 address.
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
import ipaddr from "ipaddr.js";
import { ApiError } from "../errors";

export const WEBHOOK_URL_MAX_LENGTH = 2048;
const IPV4_DOTTED = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Why a webhook URL was refused; `details[0].reason` in the `validation_failed` error. */
export type WebhookUrlReason =
  | "too_long"
  | "invalid_url"
  | "not_https"
  | "credentials"
  | "localhost"
  | "private_address"
  | "denied_host";

/**
 * Returns the parsed URL, or throws `validation_failed` (400) saying why it cannot be a webhook
 * target; `field` names the request field in the message and the details.
 */
export function checkWebhookUrl(raw: string, denyList: readonly string[], field = "webhook_url"): URL {
  const refuse = (reason: WebhookUrlReason, message: string): never => refuseField(field, reason, message.replace(/^webhook_url/, field));
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
  // A parsed https hostname is an IP literal only as a dotted quad or a bracketed IPv6 address.
  if (IPV4_DOTTED.test(host) && isDeniedIp(host)) {
    refuse("private_address", "webhook_url must not point at a private, loopback or reserved IPv4 address.");
  }
  if (host.startsWith("[") && isDeniedIp(host.slice(1, -1))) {
    refuse("private_address", "webhook_url must not point at a private, loopback or reserved IPv6 address.");
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

function refuseField(field: string, reason: WebhookUrlReason, message: string): never {
  throw new ApiError("validation_failed", message, { details: [{ path: field, message, reason }] });
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

/** IPv4 ranges (ipaddr.js's names) no webhook may target; only `unicast` and the public service ranges pass. */
const DENIED_V4_RANGES: ReadonlySet<string> = new Set([
  "unspecified", // 0.0.0.0/8, "this network"
  "broadcast",
  "multicast", // 224/4
  "linkLocal", // 169.254/16, incl. cloud metadata 169.254.169.254
  "loopback", // 127/8
  "carrierGradeNat", // 100.64/10
  "private", // 10/8, 172.16/12, 192.168/16
  "reserved", // 192.0.0/24 (a metadata address), documentation, benchmarking, 240/4
]);

/** IPv6 ranges no webhook may target. */
const DENIED_V6_RANGES: ReadonlySet<string> = new Set([
  "unspecified",
  "loopback",
  "linkLocal", // fe80::/10
  "deprecatedSiteLocal", // fec0::/10
  "uniqueLocal", // fc00::/7
  "multicast", // ff00::/8
  "discard", // 100::/64
]);

/** Whether an IP literal (as the URL parser wrote it) is one no webhook may target. */
function isDeniedIp(text: string): boolean {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(text);
  } catch {
    return true; // an IP the library cannot read is not one we can vouch for
  }
  if (ip.kind() === "ipv4") return DENIED_V4_RANGES.has(ip.range());
  const v6 = ip as ipaddr.IPv6;
  const embedded = embeddedIpv4(v6);
  if (embedded) return DENIED_V4_RANGES.has(embedded.range());
  return DENIED_V6_RANGES.has(v6.range());
}

/**
 * The IPv4 address an IPv6 address stands for, where it stands for one: IPv4-mapped
 * (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`), the deprecated IPv4-compatible form
 * (`::a.b.c.d`, which also covers `::` and `::1`, judged as 0.0.0.0 and 0.0.0.1), and 6to4
 * (`2002:aabb:ccdd::`), each judged as that IPv4 address.
 */
function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const zeroTo = (n: number) => p.slice(0, n).every((x) => x === 0);
  if (zeroTo(5) && p[5] === 0xffff) return v4(p[6]!, p[7]!);
  if (zeroTo(6)) return v4(p[6]!, p[7]!);
  if (ip.range() === "rfc6052") return v4(p[6]!, p[7]!);
  if (ip.range() === "6to4") return v4(p[1]!, p[2]!);
  return null;
}
