// TLS material and token in the data dir: created once, reused, re-issued only when the names change.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ensureTls, ensureToken, servingHosts } from "../../src/controlplane/tls.ts";

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "skiff-tls-")); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const mode = (f: string): number => statSync(join(dir, f)).mode & 0o777;

describe("ensureTls", () => {
  test("creates a CA and a serving certificate for loopback names, with private keys 0600", async () => {
    const m = await ensureTls(dir, servingHosts("127.0.0.1"));
    expect(readFileSync(join(dir, "ca.crt"), "utf8")).toBe(m.caPem);
    expect(readFileSync(join(dir, "server.crt"), "utf8")).toBe(m.certPem);
    expect(readFileSync(join(dir, "server.key"), "utf8")).toBe(m.keyPem);
    expect(mode("server.key")).toBe(0o600);
    expect(mode("ca.key")).toBe(0o600);
    const ca = new X509Certificate(m.caPem);
    const cert = new X509Certificate(m.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    for (const ip of ["127.0.0.1", "::1"]) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkHost("localhost")).toBe("localhost");
    const years = (new Date(ca.validTo).getTime() - Date.now()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9.9);
  });

  test("a second start reuses every file unchanged", async () => {
    const first = await ensureTls(dir, servingHosts("127.0.0.1"));
    const mtime = statSync(join(dir, "server.crt")).mtimeMs;
    const second = await ensureTls(dir, servingHosts("127.0.0.1"));
    expect(second).toEqual(first);
    expect(statSync(join(dir, "server.crt")).mtimeMs).toBe(mtime);
  });

  test("a new listen address re-issues the serving certificate from the same CA", async () => {
    const first = await ensureTls(dir, servingHosts("127.0.0.1"));
    const second = await ensureTls(dir, servingHosts("127.0.0.2"));
    expect(second.caPem).toBe(first.caPem);
    expect(second.certPem).not.toBe(first.certPem);
    const cert = new X509Certificate(second.certPem);
    expect(cert.checkIP("127.0.0.2")).toBe("127.0.0.2");
    expect(cert.checkIssued(new X509Certificate(first.caPem))).toBe(true);
  });
});

describe("ensureToken", () => {
  test("creates 32 random bytes as hex once, mode 0600, then returns the same", () => {
    const token = ensureToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(mode("token")).toBe(0o600);
    expect(ensureToken(dir)).toBe(token);
    const other = mkdtempSync(join(tmpdir(), "skiff-tls-"));
    try { expect(ensureToken(other)).not.toBe(token); } finally { rmSync(other, { recursive: true, force: true }); }
  });
});
