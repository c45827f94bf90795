// Direct checking of a server certificate against the kubeconfig's CA (direct-trust.ts): what it
// vouches for, what it leaves to OpenSSL, and the transport falling back to OpenSSL's verdict.
import { webcrypto, X509Certificate } from "node:crypto";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiClient } from "../../src/client/client.ts";
import { parseCaBundle, readCertificate, trustedDirectly } from "../../src/client/direct-trust.ts";
import { createHttpTransport } from "../../src/client/http-transport.ts";
import { ConnectionError } from "../../src/client/transport.ts";
import { installReflectMetadata } from "../../src/controlplane/tls.ts";
import { selfSignedCert } from "./fake-server.ts";

type X509Lib = typeof import("@peculiar/x509");
let x509: X509Lib;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY = 86_400_000;

interface Issued { pem: string; keys: webcrypto.CryptoKeyPair; keyPem: string }

async function keyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

async function makeCa(name = "CN=test-ca", isCa = true): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01", name, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY), signingAlgorithm: EC, keys,
    extensions: [new x509.BasicConstraintsExtension(isCa, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { pem: cert.toString("pem"), keys, keyPem: await keyPem(keys) };
}

interface LeafOptions { san?: { type: "ip" | "dns"; value: string }[]; eku?: string[]; extra?: InstanceType<X509Lib["Extension"]>[]; notAfter?: Date }

async function makeLeaf(ca: Issued, o: LeafOptions = {}): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "02", subject: "CN=server", issuer: new x509.X509Certificate(ca.pem).subject,
    notBefore: new Date(Date.now() - DAY), notAfter: o.notAfter ?? new Date(Date.now() + 10 * DAY),
    signingAlgorithm: EC, publicKey: keys.publicKey, signingKey: ca.keys.privateKey,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(o.eku ?? ["1.3.6.1.5.5.7.3.1"]),
      new x509.SubjectAlternativeNameExtension(o.san ?? [{ type: "ip", value: "127.0.0.1" }, { type: "dns", value: "localhost" }]),
      ...(o.extra ?? []),
    ],
  });
  return { pem: cert.toString("pem"), keys, keyPem: await keyPem(keys) };
}

/** What trustedDirectly reads of a socket: the peer certificate. */
const peer = (pem: string): TLSSocket => ({ getPeerX509Certificate: () => new X509Certificate(pem) }) as unknown as TLSSocket;

let ca: Issued;
let otherCa: Issued;
let leaf: Issued;

beforeAll(async () => {
  installReflectMetadata();
  x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  ca = await makeCa();
  otherCa = await makeCa("CN=other-ca");
  leaf = await makeLeaf(ca);
});

describe("trustedDirectly", () => {
  test("a serving certificate from the CA, for the address or a DNS name it lists", () => {
    const cas = parseCaBundle(`${otherCa.pem}\nnot a certificate\n${ca.pem}`);
    expect(cas).toHaveLength(2);
    expect(trustedDirectly(peer(leaf.pem), "127.0.0.1", cas)).toBe(true);
    expect(trustedDirectly(peer(leaf.pem), "localhost", cas)).toBe(true);
    expect(trustedDirectly(peer(leaf.pem), "10.0.0.9", cas)).toBe(false);
    expect(trustedDirectly(peer(leaf.pem), "evil.localhost", cas)).toBe(false);
  });

  test("another CA, dates outside the validity, or no serverAuth: not vouched for", async () => {
    expect(trustedDirectly(peer(leaf.pem), "127.0.0.1", parseCaBundle(otherCa.pem))).toBe(false);
    expect(trustedDirectly(peer(leaf.pem), "127.0.0.1", parseCaBundle(ca.pem), Date.now() + 20 * DAY)).toBe(false);
    const clientOnly = await makeLeaf(ca, { eku: ["1.3.6.1.5.5.7.3.2"] });
    expect(trustedDirectly(peer(clientOnly.pem), "127.0.0.1", parseCaBundle(ca.pem))).toBe(false);
  });

  test("an issuer that is not a CA, or a critical extension not read here: left to OpenSSL", async () => {
    const notCa = await makeCa("CN=not-a-ca", false);
    const fromNotCa = await makeLeaf(notCa);
    expect(trustedDirectly(peer(fromNotCa.pem), "127.0.0.1", parseCaBundle(notCa.pem))).toBe(false);
    const odd = await makeLeaf(ca, { extra: [new x509.Extension("1.2.3.4.5", true, new Uint8Array([5, 0]))] });
    expect(readCertificate(new X509Certificate(odd.pem).raw)!.extensions.get("1.2.3.4.5")!.critical).toBe(true);
    expect(trustedDirectly(peer(odd.pem), "127.0.0.1", parseCaBundle(ca.pem))).toBe(false);
  });

  test("a self-signed serving certificate listed as the CA", async () => {
    const { cert } = await selfSignedCert();
    expect(trustedDirectly(peer(cert), "127.0.0.1", parseCaBundle(cert))).toBe(true);
    expect(trustedDirectly(peer(cert), "127.0.0.2", parseCaBundle(cert))).toBe(false);
  });

  test("a wildcard stands for one whole leftmost label", async () => {
    const wild = await makeLeaf(ca, { san: [{ type: "dns", value: "*.example.com" }] });
    const cas = parseCaBundle(ca.pem);
    expect(trustedDirectly(peer(wild.pem), "api.example.com", cas)).toBe(true);
    expect(trustedDirectly(peer(wild.pem), "a.b.example.com", cas)).toBe(false);
    expect(trustedDirectly(peer(wild.pem), "example.com", cas)).toBe(false);
  });

  test("readCertificate reads the signature algorithm and refuses what is not DER", () => {
    expect(readCertificate(new X509Certificate(leaf.pem).raw)?.signature).toBe("1.2.840.10045.4.3.2");
    expect(readCertificate(new Uint8Array([0x30, 0x05, 0x01]))).toBeUndefined();
  });
});

describe("the transport", () => {
  let connections = 0;
  let server: ReturnType<typeof createHttps>;
  let url: string;
  beforeAll(async () => {
    server = createHttps({ key: leaf.keyPem, cert: leaf.pem }, (_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default" } }));
    });
    server.on("secureConnection", () => { connections++; });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const get = async (caPem: string): Promise<unknown> => {
    const t = createHttpTransport({ server: url, caPem, insecureSkipTlsVerify: false, requestTimeoutMs: 0 });
    try {
      return await createApiClient(t, { namespace: "default", server: url }).get("pods", "default", "web").then((p) => p.metadata.name, (e: unknown) => e);
    } finally {
      await t.close?.();
    }
  };

  test("keeps the session it checked directly: one TLS connection per request", async () => {
    connections = 0;
    expect(await get(ca.pem)).toBe("web");
    expect(connections).toBe(1);
  });

  test("a request takes the connection preconnect opened", async () => {
    connections = 0;
    const t = createHttpTransport({ server: url, caPem: ca.pem, insecureSkipTlsVerify: false, requestTimeoutMs: 0 });
    try {
      t.preconnect?.();
      await new Promise((r) => setTimeout(r, 50));   // the handshake is done before the request
      expect(connections).toBe(1);
      const c = createApiClient(t, { namespace: "default", server: url });
      expect((await c.get("pods", "default", "web")).metadata.name).toBe("web");
      expect((await c.get("pods", "default", "web")).metadata.name).toBe("web");
      expect(connections).toBe(1);
    } finally {
      await t.close?.();
    }
  });

  test("a preconnect that fails is silent; the request then reports the failure", async () => {
    const t = createHttpTransport({ server: "https://127.0.0.1:1", caPem: ca.pem, insecureSkipTlsVerify: false, requestTimeoutMs: 0 });
    try {
      t.preconnect?.();
      await new Promise((r) => setTimeout(r, 20));
      const got = await createApiClient(t, { namespace: "default", server: "https://127.0.0.1:1" }).get("pods", "default", "web").then(() => undefined, (e: unknown) => e);
      expect(got).toBeInstanceOf(ConnectionError);
      expect((got as ConnectionError).refused).toBe(true);
    } finally {
      await t.close?.();
    }
  });

  test("falls back to OpenSSL, and its error, for a certificate it cannot vouch for", async () => {
    // The message is OpenSSL's verdict (UNABLE_TO_VERIFY_LEAF_SIGNATURE) in kubectl's words:
    // the direct check never fails a connection itself.
    const got = await get(otherCa.pem);
    expect(got).toBeInstanceOf(ConnectionError);
    expect((got as Error).message).toBe("tls: failed to verify certificate: x509: certificate signed by unknown authority");
  });
});
