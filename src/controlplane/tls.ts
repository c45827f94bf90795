// The control plane's credentials in its data dir: a CA, a serving certificate signed by it, and the bearer token.
import { X509Certificate as NodeX509, randomBytes, webcrypto } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import type * as X509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * The certificate library's injector reads decorator metadata through Reflect; install the
 * three calls it makes when no polyfill is present, before the library loads.
 */
export function installReflectMetadata(): void {
  const r = Reflect as unknown as Record<string, unknown>;
  if (typeof r.getMetadata === "function") return;
  const store = new WeakMap<object, Map<string, unknown>>();
  const slot = (key: unknown, prop: unknown): string => `${String(prop ?? "")}\0${String(key)}`;
  r.defineMetadata = (key: unknown, value: unknown, target: object, prop?: unknown): void => {
    let m = store.get(target);
    if (!m) store.set(target, (m = new Map()));
    m.set(slot(key, prop), value);
  };
  r.getOwnMetadata = (key: unknown, target: object, prop?: unknown): unknown => store.get(target)?.get(slot(key, prop));
  r.getMetadata = (key: unknown, target: object, prop?: unknown): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const m = store.get(t);
      if (m?.has(slot(key, prop))) return m.get(slot(key, prop));
    }
    return undefined;
  };
}

let loaded: Promise<typeof X509> | undefined;
function loadX509(): Promise<typeof X509> {
  loaded ??= (async () => {
    installReflectMetadata();
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return loaded;
}

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;
const SERVING_DAYS = 3650;
/** Re-issue the serving certificate when it has less than this left. */
const RENEW_BEFORE_DAYS = 30;

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Writes a file atomically (a crash never leaves half a key), by default readable only by its owner. */
export function writePrivateFile(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

async function exportKeyPem(x509: typeof X509, key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function importKeyPair(x509: typeof X509, keyPem: string, certPem: string): Promise<CryptoKeyPair> {
  const privateKey = await webcrypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(keyPem), ALG, true, ["sign"]);
  const publicKey = await new x509.X509Certificate(certPem).publicKey.export(ALG, ["verify"]) as unknown as CryptoKey;
  return { privateKey, publicKey };
}

function serialNumber(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;   // positive, as RFC 5280 asks
  return b.toString("hex");
}

/** The names a serving certificate must cover: loopback, localhost, this host, the listen address. */
export function servingHosts(listen: string): string[] {
  const hosts = ["127.0.0.1", "::1", "localhost", hostname()];
  if (listen && listen !== "0.0.0.0" && listen !== "::" && !hosts.includes(listen)) hosts.push(listen);
  return hosts.filter((h, i) => h && hosts.indexOf(h) === i);
}

async function createCa(x509: typeof X509, now: Date): Promise<{ certPem: string; keyPem: string; keys: CryptoKeyPair }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=skiff-ca@${Math.floor(now.getTime() / 1000)}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await exportKeyPem(x509, keys.privateKey), keys };
}

async function createServing(x509: typeof X509, hosts: string[], caCertPem: string, caKeys: CryptoKeyPair, now: Date): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const ca = new x509.X509Certificate(caCertPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: "CN=skiff-apiserver",
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + SERVING_DAYS * DAY),
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIP(h) ? "ip" as const : "dns" as const, value: h }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await exportKeyPem(x509, keys.privateKey) };
}

/** True when a serving certificate still fits: every host covered and not about to expire. */
function servingCertFits(certPem: string, hosts: string[], now: Date): boolean {
  try {
    const cert = new NodeX509(certPem);
    if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY) return false;
    return hosts.every((h) => (isIP(h) ? cert.checkIP(h) !== undefined : cert.checkHost(h) !== undefined));
  } catch {
    return false;
  }
}

/**
 * Loads the CA and serving certificate from dataDir, creating what is missing: on first
 * start a CA (ca.crt, ca.key) and a serving certificate (server.crt, server.key) for
 * `hosts`; later starts reuse them. The serving certificate alone is re-issued (by the
 * same CA, so kubeconfigs stay valid) when it no longer covers `hosts` or nears expiry.
 * Keys are ECDSA P-256; private files are mode 0600.
 */
export async function ensureTls(dataDir: string, hosts: string[], now: Date = new Date()): Promise<TlsMaterial> {
  const caCrt = join(dataDir, "ca.crt");
  const caKey = join(dataDir, "ca.key");
  const srvCrt = join(dataDir, "server.crt");
  const srvKey = join(dataDir, "server.key");
  const x509 = await loadX509();
  let caPem: string;
  let caKeys: CryptoKeyPair | undefined;
  if (existsSync(caCrt) && existsSync(caKey)) {
    caPem = readFileSync(caCrt, "utf8");
  } else {
    const ca = await createCa(x509, now);
    writePrivateFile(caKey, ca.keyPem);
    writePrivateFile(caCrt, ca.certPem, 0o644);
    caPem = ca.certPem;
    caKeys = ca.keys;
  }
  if (caKeys === undefined && existsSync(srvCrt) && existsSync(srvKey)) {
    const certPem = readFileSync(srvCrt, "utf8");
    if (servingCertFits(certPem, hosts, now)) return { caPem, certPem, keyPem: readFileSync(srvKey, "utf8") };
  }
  caKeys ??= await importKeyPair(x509, readFileSync(caKey, "utf8"), caPem);
  const serving = await createServing(x509, hosts, caPem, caKeys, now);
  writePrivateFile(srvKey, serving.keyPem);
  writePrivateFile(srvCrt, serving.certPem, 0o644);
  return { caPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

/** The bearer token in dataDir/token: 32 random bytes as hex, created once (mode 0600). */
export function ensureToken(dataDir: string): string {
  const path = join(dataDir, "token");
  if (existsSync(path)) {
    const token = readFileSync(path, "utf8").trim();
    if (token) return token;
  }
  const token = randomBytes(32).toString("hex");
  writePrivateFile(path, `${token}\n`);
  return token;
}
