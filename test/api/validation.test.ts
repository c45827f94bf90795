import { describe, expect, it } from "vitest";
import {
  configMapKeyErrors, dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors,
  NAME_RULES, portNameErrors, portNumberErrors, qualifiedNameErrors, validateAnnotations, validateLabels,
  validateObjectMeta, validateObjectMetaUpdate,
} from "../../src/api/validation.ts";

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const KEY_NAME = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("name rules", () => {
  it.each([
    ["web", []], ["web-1.example.com", []], ["a", []], ["1abc", []],
    ["Web", [SUBDOMAIN]], ["web_1", [SUBDOMAIN]], ["-web", [SUBDOMAIN]], ["web.", [SUBDOMAIN]], ["", [SUBDOMAIN]],
    ["a".repeat(253), []], ["a".repeat(254), ["must be no more than 253 bytes"]],
  ])("subdomain %j", (v, want) => {
    expect(dns1123SubdomainErrors(v)).toEqual(want);
  });

  it.each([
    ["default", []], ["kube-system", []], ["123-abc", []],
    ["my.ns", [LABEL]], ["My", [LABEL]], ["a-", [LABEL]],
    ["a".repeat(63), []], ["a".repeat(64), ["must be no more than 63 bytes"]],
  ])("label %j", (v, want) => {
    expect(dns1123LabelErrors(v)).toEqual(want);
  });

  it.each([
    ["web", []], ["abc-123", []], ["1web", [DNS1035]], ["web.svc", [DNS1035]],
    ["a".repeat(64), ["must be no more than 63 bytes"]],
  ])("DNS-1035 %j", (v, want) => {
    expect(dns1035LabelErrors(v)).toEqual(want);
  });

  it.each([
    ["http", []], ["web-80", []],
    ["a".repeat(16), ["must be no more than 15 bytes"]],
    ["HTTP", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"]],
    ["8080", ["must contain at least one letter (a-z)"]],
    ["a--b", ["must not contain consecutive hyphens"]],
    ["-ab", ["must not begin or end with a hyphen"]],
  ])("port name %j", (v, want) => {
    expect(portNameErrors(v)).toEqual(want);
  });

  it.each([[1, []], [65535, []], [0, ["must be between 1 and 65535, inclusive"]], [65536, ["must be between 1 and 65535, inclusive"]], [1.5, ["must be between 1 and 65535, inclusive"]]])(
    "port number %d", (v, want) => {
      expect(portNumberErrors(v)).toEqual(want);
    });

  it("generateName prefixes may end in a dash", () => {
    expect(NAME_RULES.dns1123Subdomain("web-", true)).toEqual([]);
    expect(NAME_RULES.dns1123Subdomain("web-", false)).toEqual([SUBDOMAIN]);
    expect(NAME_RULES.dns1123Subdomain("Web-", true)).toEqual([SUBDOMAIN]);
  });
});

describe("qualified names and label values", () => {
  it.each([
    ["app", []], ["example.com/app", []], ["app.kubernetes.io/name", []], ["A_b.c", []],
    ["Example.com/x", [`prefix part ${SUBDOMAIN}`]],
    ["example_com/x", [`prefix part ${SUBDOMAIN}`]],
    ["/x", ["prefix part must be non-empty"]],
    ["x/", ["name part must be non-empty", KEY_NAME]],
    ["-x", [KEY_NAME]],
    ["a/b/c", ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
    ["a".repeat(64), ["name part must be no more than 63 bytes"]],
  ])("key %j", (v, want) => {
    expect(qualifiedNameErrors(v)).toEqual(want);
  });

  it.each([["", []], ["web", []], ["v1.2_x", []], ["-bad", [VALUE]], ["a".repeat(64), ["must be no more than 63 bytes"]]])(
    "value %j", (v, want) => {
      expect(labelValueErrors(v)).toEqual(want);
    });

  it("config keys", () => {
    expect(configMapKeyErrors("app.properties")).toEqual([]);
    expect(configMapKeyErrors("..x")).toEqual(["must not start with '..'"]);
    expect(configMapKeyErrors("a b")).toEqual(["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]);
  });

  it("validateLabels reports the bad key or value at the labels path", () => {
    expect(validateLabels({ "-x": "ok", ok: "-bad" }, "metadata.labels").map((e) => `${e.field}: ${e.message}`)).toEqual([
      `metadata.labels: Invalid value: "-x": ${KEY_NAME}`,
      `metadata.labels: Invalid value: "-bad": ${VALUE}`,
    ]);
  });

  it("validateAnnotations: keys case-insensitive, total size capped at 256 KiB", () => {
    expect(validateAnnotations({ "Example.COM/Note": "x" }, "metadata.annotations")).toEqual([]);
    const big = { a: "x".repeat(262144) };
    expect(validateAnnotations(big, "metadata.annotations").map((e) => e.message)).toEqual(["Too long: may not be more than 262144 bytes"]);
    expect(validateAnnotations({ a: "x".repeat(262143) }, "metadata.annotations")).toEqual([]);
  });
});

describe("validateObjectMeta", () => {
  const flat = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);
  it.each([
    [{ name: "web", namespace: "default" }, true, []],
    [{}, true, ["metadata.name: Required value: name or generateName is required", "metadata.namespace: Required value"]],
    [{ name: "web", namespace: "default" }, false, ["metadata.namespace: Forbidden: not allowed on this type"]],
    [{ name: "Web", namespace: "default" }, true, [`metadata.name: Invalid value: "Web": ${SUBDOMAIN}`]],
    [{ name: "web", namespace: "my.ns" }, true, [`metadata.namespace: Invalid value: "my.ns": ${LABEL}`]],
    [{ name: "web", generateName: "Web-", namespace: "x" }, true, [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`]],
    [{ name: "web", namespace: "x", ownerReferences: [{ apiVersion: "", kind: "", name: "", uid: "" }] }, true, [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    ]],
    [{ name: "web", namespace: "x", finalizers: ["a/b/c"] }, true, ["metadata.finalizers: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
  ])("%j (namespaced %s)", (meta, namespaced, want) => {
    expect(flat(validateObjectMeta(meta, { namespaced, nameRule: "dns1123Subdomain" }))).toEqual(want);
  });

  it("two controller owner references are refused", () => {
    const refs = [
      { apiVersion: "v1", kind: "ReplicationController", name: "a", uid: "1", controller: true },
      { apiVersion: "v1", kind: "ReplicationController", name: "b", uid: "2", controller: true },
    ];
    const errs = validateObjectMeta({ name: "p", namespace: "d", ownerReferences: refs }, { namespaced: true, nameRule: "dns1123Subdomain" });
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toContain('Only one reference can have Controller set to true. Found "true" in references for ReplicationController/a and ReplicationController/b');
  });

  it("update: name, namespace, uid and creationTimestamp are immutable", () => {
    const prev = { name: "a", namespace: "d", uid: "u1", creationTimestamp: "2024-05-01T12:00:00Z" };
    expect(validateObjectMetaUpdate(prev, prev)).toEqual([]);
    expect(flat(validateObjectMetaUpdate({ ...prev, name: "b", uid: "u2" }, prev))).toEqual([
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
    expect(flat(validateObjectMetaUpdate({ ...prev, finalizers: ["x/y"] }, { ...prev, deletionTimestamp: "2024-05-01T12:00:00Z" }))[0])
      .toBe('metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/y"}');
  });
});
