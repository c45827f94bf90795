// Checking an API server's certificate against the kubeconfig's CA without OpenSSL's store.
//
// Why: a secure context given a CA first builds Node's root store, and that waits until every
// bundled root and NODE_EXTRA_CA_CERTS certificate has been parsed (a whole system bundle on many
// machines: milliseconds of a `get pods` that takes forty). So the transport connects with an
// empty store and checks here, before a byte of the request is sent, the common case: a serving
// certificate issued directly by a CA of the kubeconfig, or a self-signed one listed as the CA.
// Whatever this file cannot vouch for is not an error: the transport then connects again with the
// CA in OpenSSL's store and lets OpenSSL decide and word the error, exactly as without it.
//
// It vouches only when every check OpenSSL (at Debian's default security level) and Go would make
// on such a two-certificate chain passes, and it is stricter where that is simpler:
// - both certificates within their validity dates; the serving one's issuer name and signature
//   from the CA's key; the CA a CA (basic constraints, key usage keyCertSign if present);
// - signatures with SHA-256/384/512 (RSA PKCS#1 v1.5, ECDSA) or Ed25519 and keys of RSA ≥ 2048
//   bits, P-256/384/521 or Ed25519; no other critical extension than those read here, and no
//   name constraints on the CA;
// - extended key usage, where present, including serverAuth (on both certificates, as OpenSSL's
//   purpose check goes); the serving certificate's key usage, if present;
// - the host: an address among its IP subject alternative names, a name among its DNS ones (a
//   wildcard standing for one whole leftmost label; the common name never counts, as in Go).
import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";
const EXT_KEY_USAGE = "2.5.29.37";
const SUBJECT_ALT_NAME = "2.5.29.17";
const NAME_CONSTRAINTS = "2.5.29.30";
const NETSCAPE_CERT_TYPE = "2.16.840.1.113730.1.1";
const UNDERSTOOD = new Set([BASIC_CONSTRAINTS, KEY_USAGE, EXT_KEY_USAGE, SUBJECT_ALT_NAME]);
const STRONG_SIGNATURES = new Set([
  "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13",   // sha256/384/512 with RSA
  "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",         // ECDSA with SHA-256/384/512
  "1.3.101.112",                                                                 // Ed25519
]);
const STRONG_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);
// Key usage bits, as the first byte of the BIT STRING holds them.
const DIGITAL_SIGNATURE = 0x80;
const KEY_ENCIPHERMENT = 0x20;
const KEY_AGREEMENT = 0x08;
const KEY_CERT_SIGN = 0x04;

/** The certificates of a PEM bundle; blocks that do not parse are left out (OpenSSL skips them too). */
export function parseCaBundle(pem: string): X509Certificate[] {
  const { X509Certificate: X509 } = process.getBuiltinModule("node:crypto");
  const out: X509Certificate[] = [];
  for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    try {
      out.push(new X509(block));
    } catch {
      // not a certificate
    }
  }
  return out;
}

// ---- just enough DER to read a certificate's signature algorithm and extensions ----

interface Tlv { tag: number; start: number; end: number }

function readTlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length >= 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

/** The elements of a constructed value, in order; undefined when they do not exactly fill it. */
function children(der: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const t = readTlv(der, at, parent.end);
    if (!t) return undefined;
    out.push(t);
    at = t.end;
  }
  return out;
}

function oidText(der: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = t.start; i < t.end; i++) {
    value = value * 128 + (der[i]! & 0x7f);
    if ((der[i]! & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

interface Extension { critical: boolean; value: Tlv }

/** A certificate's signature algorithm and its extensions by OID; undefined when the DER is not as expected. */
export function readCertificate(der: Uint8Array): { signature: string; extensions: Map<string, Extension> } | undefined {
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== 0x30) return undefined;
  const [tbs, sigAlg] = children(der, cert) ?? [];
  if (!tbs || tbs.tag !== 0x30 || !sigAlg || sigAlg.tag !== 0x30) return undefined;
  const algOid = children(der, sigAlg)?.[0];
  if (!algOid || algOid.tag !== 0x06) return undefined;
  const extensions = new Map<string, Extension>();
  const fields = children(der, tbs);
  if (!fields) return undefined;
  const wrapper = fields.find((f) => f.tag === 0xa3);               // [3] EXPLICIT Extensions
  if (wrapper) {
    const [list] = children(der, wrapper) ?? [];
    if (!list || list.tag !== 0x30) return undefined;
    for (const ext of children(der, list) ?? [undefined]) {
      if (!ext || ext.tag !== 0x30) return undefined;
      const parts = children(der, ext);
      if (!parts || parts[0]?.tag !== 0x06) return undefined;
      const critical = parts.length === 3 && parts[1]!.tag === 0x01 && der[parts[1]!.start] !== 0;
      const value = parts[parts.length - 1]!;
      if (value.tag !== 0x04 || parts.length > 3) return undefined;
      const oid = oidText(der, parts[0]!);
      if (extensions.has(oid)) return undefined;                  // RFC 5280: at most once
      extensions.set(oid, { critical, value });
    }
  }
  return { signature: oidText(der, algOid), extensions };
}

/** The first byte of the key usage BIT STRING; null without the extension, undefined when unreadable. */
function keyUsage(der: Uint8Array, ext: Extension | undefined): number | null | undefined {
  if (!ext) return null;
  const bits = readTlv(der, ext.value.start, ext.value.end);
  if (!bits || bits.tag !== 0x03 || bits.end !== ext.value.end || bits.end - bits.start < 1) return undefined;
  return bits.end - bits.start >= 2 ? der[bits.start + 1]! : 0;
}

function inTime(c: X509Certificate, now: number): boolean {
  const from = Date.parse(c.validFrom);
  const to = Date.parse(c.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && now >= from && now <= to;
}

function strongKey(c: X509Certificate): boolean {
  const key = c.publicKey;
  if (key.asymmetricKeyType === "rsa") return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  if (key.asymmetricKeyType === "ec") return STRONG_CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? "");
  return key.asymmetricKeyType === "ed25519";
}

/** The certificate's own checks (algorithms, key, dates, critical extensions); its DER and what was read of it. */
function acceptable(c: X509Certificate, now: number): { der: Uint8Array; info: NonNullable<ReturnType<typeof readCertificate>> } | undefined {
  const der = c.raw;
  const info = readCertificate(der);
  if (!info || !STRONG_SIGNATURES.has(info.signature) || !strongKey(c) || !inTime(c, now)) return undefined;
  for (const [oid, ext] of info.extensions) if (ext.critical && !UNDERSTOOD.has(oid)) return undefined;
  // OpenSSL checks the TLS server purpose on every certificate of the chain.
  if (info.extensions.has(NETSCAPE_CERT_TYPE) || (c.keyUsage !== undefined && !c.keyUsage.includes(SERVER_AUTH))) return undefined;
  return { der, info };
}

/**
 * Whether the socket's peer certificate is trusted through `cas` as described above and names
 * `host`. False means "not vouched for here", never "untrusted".
 */
export function trustedDirectly(socket: TLSSocket, host: string, cas: readonly X509Certificate[], now = Date.now()): boolean {
  const leaf = socket.getPeerX509Certificate();
  if (!leaf) return false;
  const own = acceptable(leaf, now);
  if (!own) return false;
  const usage = keyUsage(own.der, own.info.extensions.get(KEY_USAGE));
  if (usage === undefined || (usage !== null && (usage & (DIGITAL_SIGNATURE | KEY_ENCIPHERMENT | KEY_AGREEMENT)) === 0)) return false;
  const anchored = cas.some((ca) => {
    if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return false;
    if (ca.fingerprint256 === leaf.fingerprint256) return true;   // a self-signed serving certificate as its own CA
    const checked = acceptable(ca, now);
    if (!checked || !ca.ca || checked.info.extensions.has(NAME_CONSTRAINTS)) return false;
    const caUsage = keyUsage(checked.der, checked.info.extensions.get(KEY_USAGE));
    return caUsage === null || (caUsage !== undefined && (caUsage & KEY_CERT_SIGN) !== 0);
  });
  if (!anchored) return false;
  const { isIP } = process.getBuiltinModule("node:net");
  if (isIP(host)) return leaf.checkIP(host) !== undefined;
  return leaf.checkHost(host, { subject: "never", wildcards: true, partialWildcards: false, multiLabelWildcards: false, singleLabelSubdomains: false }) !== undefined;
}
