import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { checkWebhookUrl, parseDenyList, WEBHOOK_URL_MAX_LENGTH, type WebhookUrlReason } from "../../src/webhooks/url";

function refusal(raw: string, denyList: readonly string[] = []): { reason: WebhookUrlReason; err: ApiError } | null {
  try {
    checkWebhookUrl(raw, denyList);
    return null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const details = err.details as Array<{ path: string; reason: WebhookUrlReason }>;
    return { reason: details[0]!.reason, err };
  }
}

describe("checkWebhookUrl accepts", () => {
  it.each([
    "https://example.com/hooks/distillery",
    "https://hooks.example.com:8443/x?token=abc#frag",
    "https://EXAMPLE.com./path",
    "https://8.8.8.8/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://[64:ff9b::808:808]/hook", // NAT64 of 8.8.8.8
    "https://[::ffff:8.8.8.8]/hook",
    "https://[2002:808:808::1]/hook", // 6to4 of 8.8.8.8
    "https://172.32.0.1/", // just outside 172.16/12
    "https://100.128.0.1/", // just outside 100.64/10
    "https://localhost.example.com/",
    "https://mylocalhost/",
    "https://bücher.example/",
  ])("a public https URL: %s", (raw) => {
    expect(checkWebhookUrl(raw, [])).toBeInstanceOf(URL);
  });

  it("returns the parsed, normalised URL", () => {
    expect(checkWebhookUrl("https://Example.COM:443/a/../b", []).href).toBe("https://example.com/b");
  });
});

describe("checkWebhookUrl refuses", () => {
  it("with validation_failed (400) and details naming the field and the reason", () => {
    const r = refusal("http://example.com/");
    expect(r?.err.code).toBe("validation_failed");
    expect(r?.err.status).toBe(400);
    expect(r?.err.details).toEqual([{ path: "webhook_url", message: expect.any(String), reason: "not_https" }]);
  });

  it.each([
    ["", "invalid_url"],
    ["example.com/hook", "invalid_url"],
    ["/relative/hook", "invalid_url"],
    ["https://", "invalid_url"],
    ["https://exa mple.com/", "invalid_url"],
    ["http://example.com/", "not_https"],
    ["HTTP://example.com/", "not_https"],
    ["ftp://example.com/", "not_https"],
    ["javascript:alert(1)", "not_https"],
    ["data:text/plain,hi", "not_https"],
    ["https://user@example.com/", "credentials"],
    ["https://user:pass@example.com/", "credentials"],
    ["https://:pass@example.com/", "credentials"],
  ] as const)("a malformed, non-https or credentialed URL: %s (%s)", (raw, reason) => {
    expect(refusal(raw)?.reason).toBe(reason);
  });

  it("a URL over the maximum length, and accepts one at it", () => {
    const base = "https://example.com/";
    expect(refusal(base + "a".repeat(WEBHOOK_URL_MAX_LENGTH - base.length + 1))?.reason).toBe("too_long");
    expect(refusal(base + "a".repeat(WEBHOOK_URL_MAX_LENGTH - base.length))).toBeNull();
  });

  it.each([
    "https://localhost/",
    "https://LOCALHOST/",
    "https://localhost./",
    "https://localhost:8443/",
    "https://api.localhost/",
    "https://a.b.localhost./",
    "https://ｌｏｃａｌｈｏｓｔ/", // full-width letters, mapped by IDNA
  ])("localhost and its subdomains: %s", (raw) => {
    expect(refusal(raw)?.reason).toBe("localhost");
  });

  it.each([
    ["https://10.0.0.1/", "private 10/8"],
    ["https://10.255.255.255/", "private 10/8"],
    ["https://172.16.0.1/", "private 172.16/12"],
    ["https://172.31.255.254/", "private 172.16/12"],
    ["https://192.168.1.1/", "private 192.168/16"],
    ["https://127.0.0.1/", "loopback"],
    ["https://127.255.0.9/", "loopback"],
    ["https://169.254.169.254/latest/meta-data/", "link-local (cloud metadata)"],
    ["https://100.64.0.1/", "CGNAT"],
    ["https://100.127.255.255/", "CGNAT"],
    ["https://0.0.0.0/", "0/8"],
    ["https://0.1.2.3/", "0/8"],
    ["https://224.0.0.1/", "multicast"],
    ["https://239.255.255.250/", "multicast"],
    ["https://240.0.0.1/", "reserved"],
    ["https://255.255.255.255/", "broadcast"],
    ["https://192.0.0.192/", "IETF assignments (a cloud metadata address)"],
    ["https://198.18.0.1/", "benchmarking"],
    ["https://192.0.2.1/", "documentation"],
  ])("a denied IPv4 literal: %s (%s)", (raw) => {
    expect(refusal(raw)?.reason).toBe("private_address");
  });

  it.each([
    ["https://2130706433/", "decimal"],
    ["https://0x7f000001/", "hex"],
    ["https://017700000001/", "octal"],
    ["https://0177.0.0.1/", "octal first part"],
    ["https://0x7f.0.0.1/", "hex first part"],
    ["https://127.1/", "two parts"],
    ["https://127.0.1/", "three parts"],
    ["https://0/", "zero"],
    ["https://127.0.0.1./", "trailing dot"],
    ["https://0xa9.0xfe.0xa9.0xfe/", "hex metadata address"],
    ["https://167772161/", "decimal 10.0.0.1"],
    ["https://１２７.０.０.１/", "full-width digits"],
  ])("IPv4 written in an odd form the URL parser normalises: %s (%s)", (raw) => {
    expect(refusal(raw)?.reason).toBe("private_address");
  });

  it.each([
    ["https://[::1]/", "loopback"],
    ["https://[0:0:0:0:0:0:0:1]/", "loopback, uncompressed"],
    ["https://[::]/", "unspecified"],
    ["https://[fc00::1]/", "unique-local"],
    ["https://[fd12:3456:789a::1]/", "unique-local"],
    ["https://[fe80::1]/", "link-local"],
    ["https://[febf::1]/", "link-local, top of /10"],
    ["https://[fec0::1]/", "site-local"],
    ["https://[ff02::1]/", "multicast"],
    ["https://[::ffff:127.0.0.1]/", "IPv4-mapped loopback"],
    ["https://[::ffff:7f00:1]/", "IPv4-mapped loopback, hex"],
    ["https://[::ffff:169.254.169.254]/", "IPv4-mapped metadata"],
    ["https://[::ffff:10.0.0.1]/", "IPv4-mapped private"],
    ["https://[64:ff9b::127.0.0.1]/", "NAT64 of loopback"],
    ["https://[64:ff9b::a9fe:a9fe]/", "NAT64 of metadata"],
    ["https://[::127.0.0.1]/", "IPv4-compatible"],
    ["https://[FE80::ABCD]/", "upper-case link-local"],
    ["https://[2002:7f00:1::]/", "6to4 of loopback"],
    ["https://[2002:a9fe:a9fe::1]/", "6to4 of metadata"],
    ["https://[64:ff9b:1::a00:1]/", "local-use NAT64 of 10.0.0.1"],
    ["https://[100::1]/", "discard-only"],
  ])("a denied IPv6 literal: %s (%s)", (raw) => {
    expect(refusal(raw)?.reason).toBe("private_address");
  });
});

describe("checkWebhookUrl's deny-list", () => {
  const deny = ["internal.example.com", "*.corp.example", ".svc.cluster.local", "Metadata.Google.Internal.", "203.0.114.7"];

  it.each([
    "https://internal.example.com/",
    "https://INTERNAL.example.com./",
    "https://a.internal.example.com/",
    "https://a.b.internal.example.com:8443/",
    "https://x.corp.example/",
    "https://api.default.svc.cluster.local/",
    "https://metadata.google.internal/",
    "https://203.0.114.7/",
    "https://3405804039/", // 203.0.114.7 in decimal
  ])("refuses a listed host or a subdomain of it: %s", (raw) => {
    expect(refusal(raw, deny)?.reason).toBe("denied_host");
  });

  it.each([
    "https://corp.example/", // `*.corp.example` is suffix only
    "https://svc.cluster.local/", // `.svc.cluster.local` is suffix only
    "https://notinternal.example.com/", // a suffix must start at a label boundary
    "https://internal.example.com.evil.test/",
    "https://example.com/",
  ])("accepts a host the list does not cover: %s", (raw) => {
    expect(refusal(raw, deny)).toBeNull();
  });

  it("matches IPv6 entries however they are written", () => {
    expect(refusal("https://[2001:db8:0:0:0:0:0:1]/", ["2001:DB8::1"])?.reason).toBe("denied_host");
    expect(refusal("https://[2001:db8::1]/", ["[2001:0db8::0001]"])?.reason).toBe("denied_host");
  });
});

describe("parseDenyList", () => {
  it("splits on commas and whitespace and drops empty entries", () => {
    expect(parseDenyList(" a.example, b.example\n\t*.c.example ,, .d.example  ")).toEqual([
      "a.example",
      "b.example",
      ".c.example",
      ".d.example",
    ]);
  });

  it("normalises case, trailing dots and IP forms", () => {
    expect(parseDenyList("Internal.Example.COM. 0x7f.1")).toEqual(["internal.example.com", "127.0.0.1"]);
  });

  it("is empty when the variable is unset or blank", () => {
    expect(parseDenyList(undefined)).toEqual([]);
    expect(parseDenyList("")).toEqual([]);
    expect(parseDenyList(" , ")).toEqual([]);
  });

  it("gives entries that checkWebhookUrl matches", () => {
    expect(refusal("https://x.internal.example.com/", parseDenyList("INTERNAL.example.com"))?.reason).toBe("denied_host");
  });
});
