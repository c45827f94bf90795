// Decoding of Kubernetes protobuf request bodies (the `k8s\0` envelope around runtime.Unknown) into JSON-shaped objects, driven by a table of message schemas.
import { badRequest, unsupportedMediaType } from "../../api/errors.ts";
import type { ApiObject } from "../../api/types.ts";

/** The media type of Kubernetes protobuf, as kubectl's typed clients send it. */
export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/** True when a Content-Type names Kubernetes protobuf (parameters such as `;stream=watch` ignored). */
export function isProtobufContentType(ct: string): boolean {
  return ct.split(";")[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

// ---------------------------------------------------------------------------
// Schemas: message name → field number → how that field reads and what its JSON name is.
// Numbers come from k8s.io/api/core/v1/generated.proto and
// k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto as compiled into kubectl 1.32.

/** Wire scalars; every other `type` names a message in SCHEMAS or a custom type in CUSTOM. */
type ScalarType = "string" | "bytes" | "bool" | "int32" | "int64";

interface FieldSpec {
  /** The JSON field name. */
  name: string;
  type: string;
  repeated?: boolean;
  /** map<string, type>: entries are messages {1: key, 2: value}. */
  map?: boolean;
  /**
   * Keep zero values (0, false): the Go field is a pointer (present means set) or its JSON
   * tag has no omitempty. Without it zero scalars are dropped, as JSON's omitempty drops them.
   */
  keep?: boolean;
}

type MessageSchema = Readonly<Record<number, FieldSpec>>;

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(["string", "bytes", "bool", "int32", "int64"]);

const SCHEMAS: Readonly<Record<string, MessageSchema>> = {
  // k8s.io.apimachinery.pkg.apis.meta.v1
  ObjectMeta: {
    1: { name: "name", type: "string" },
    2: { name: "generateName", type: "string" },
    3: { name: "namespace", type: "string" },
    4: { name: "selfLink", type: "string" },
    5: { name: "uid", type: "string" },
    6: { name: "resourceVersion", type: "string" },
    7: { name: "generation", type: "int64" },
    8: { name: "creationTimestamp", type: "Time" },
    9: { name: "deletionTimestamp", type: "Time" },
    10: { name: "deletionGracePeriodSeconds", type: "int64", keep: true },
    11: { name: "labels", type: "string", map: true },
    12: { name: "annotations", type: "string", map: true },
    13: { name: "ownerReferences", type: "OwnerReference", repeated: true },
    14: { name: "finalizers", type: "string", repeated: true },
    17: { name: "managedFields", type: "ManagedFieldsEntry", repeated: true },
  },
  OwnerReference: {
    5: { name: "apiVersion", type: "string" },
    1: { name: "kind", type: "string" },
    3: { name: "name", type: "string" },
    4: { name: "uid", type: "string" },
    6: { name: "controller", type: "bool", keep: true },
    7: { name: "blockOwnerDeletion", type: "bool", keep: true },
  },
  ManagedFieldsEntry: {
    1: { name: "manager", type: "string" },
    2: { name: "operation", type: "string" },
    3: { name: "apiVersion", type: "string" },
    4: { name: "time", type: "Time" },
    6: { name: "fieldsType", type: "string" },
    7: { name: "fieldsV1", type: "FieldsV1" },
    8: { name: "subresource", type: "string" },
  },
  Condition: {
    1: { name: "type", type: "string" },
    2: { name: "status", type: "string" },
    3: { name: "observedGeneration", type: "int64" },
    4: { name: "lastTransitionTime", type: "Time" },
    5: { name: "reason", type: "string" },
    6: { name: "message", type: "string" },
  },
  // k8s.io.api.core.v1
  Namespace: {
    1: { name: "metadata", type: "ObjectMeta" },
    2: { name: "spec", type: "NamespaceSpec" },
    3: { name: "status", type: "NamespaceStatus" },
  },
  NamespaceSpec: {
    1: { name: "finalizers", type: "string", repeated: true },
  },
  NamespaceStatus: {
    1: { name: "phase", type: "string" },
    2: { name: "conditions", type: "NamespaceCondition", repeated: true },
  },
  NamespaceCondition: {
    1: { name: "type", type: "string" },
    2: { name: "status", type: "string" },
    4: { name: "lastTransitionTime", type: "Time" },
    5: { name: "reason", type: "string" },
    6: { name: "message", type: "string" },
  },
  ConfigMap: {
    1: { name: "metadata", type: "ObjectMeta" },
    2: { name: "data", type: "string", map: true },
    3: { name: "binaryData", type: "bytes", map: true },
    4: { name: "immutable", type: "bool", keep: true },
  },
  Secret: {
    1: { name: "metadata", type: "ObjectMeta" },
    2: { name: "data", type: "bytes", map: true },
    3: { name: "type", type: "string" },
    4: { name: "stringData", type: "string", map: true },
    5: { name: "immutable", type: "bool", keep: true },
  },
  ServiceAccount: {
    1: { name: "metadata", type: "ObjectMeta" },
    2: { name: "secrets", type: "ObjectReference", repeated: true },
    3: { name: "imagePullSecrets", type: "LocalObjectReference", repeated: true },
    4: { name: "automountServiceAccountToken", type: "bool", keep: true },
  },
  ObjectReference: {
    1: { name: "kind", type: "string" },
    2: { name: "namespace", type: "string" },
    3: { name: "name", type: "string" },
    4: { name: "uid", type: "string" },
    5: { name: "apiVersion", type: "string" },
    6: { name: "resourceVersion", type: "string" },
    7: { name: "fieldPath", type: "string" },
  },
  LocalObjectReference: {
    1: { name: "name", type: "string" },
  },
  Service: {
    1: { name: "metadata", type: "ObjectMeta" },
    2: { name: "spec", type: "ServiceSpec" },
    3: { name: "status", type: "ServiceStatus" },
  },
  ServiceSpec: {
    1: { name: "ports", type: "ServicePort", repeated: true },
    2: { name: "selector", type: "string", map: true },
    3: { name: "clusterIP", type: "string" },
    18: { name: "clusterIPs", type: "string", repeated: true },
    4: { name: "type", type: "string" },
    5: { name: "externalIPs", type: "string", repeated: true },
    7: { name: "sessionAffinity", type: "string" },
    8: { name: "loadBalancerIP", type: "string" },
    9: { name: "loadBalancerSourceRanges", type: "string", repeated: true },
    10: { name: "externalName", type: "string" },
    11: { name: "externalTrafficPolicy", type: "string" },
    12: { name: "healthCheckNodePort", type: "int32" },
    13: { name: "publishNotReadyAddresses", type: "bool" },
    14: { name: "sessionAffinityConfig", type: "SessionAffinityConfig" },
    19: { name: "ipFamilies", type: "string", repeated: true },
    17: { name: "ipFamilyPolicy", type: "string" },
    20: { name: "allocateLoadBalancerNodePorts", type: "bool", keep: true },
    21: { name: "loadBalancerClass", type: "string" },
    22: { name: "internalTrafficPolicy", type: "string" },
    23: { name: "trafficDistribution", type: "string" },
  },
  ServicePort: {
    1: { name: "name", type: "string" },
    2: { name: "protocol", type: "string" },
    6: { name: "appProtocol", type: "string" },
    3: { name: "port", type: "int32", keep: true },
    4: { name: "targetPort", type: "IntOrString" },
    5: { name: "nodePort", type: "int32" },
  },
  SessionAffinityConfig: {
    1: { name: "clientIP", type: "ClientIPConfig" },
  },
  ClientIPConfig: {
    1: { name: "timeoutSeconds", type: "int32", keep: true },
  },
  ServiceStatus: {
    1: { name: "loadBalancer", type: "LoadBalancerStatus" },
    2: { name: "conditions", type: "Condition", repeated: true },
  },
  LoadBalancerStatus: {
    1: { name: "ingress", type: "LoadBalancerIngress", repeated: true },
  },
  LoadBalancerIngress: {
    1: { name: "ip", type: "string" },
    2: { name: "hostname", type: "string" },
    3: { name: "ipMode", type: "string" },
    4: { name: "ports", type: "PortStatus", repeated: true },
  },
  PortStatus: {
    1: { name: "port", type: "int32", keep: true },
    2: { name: "protocol", type: "string" },
    3: { name: "error", type: "string" },
  },
};

/** Top-level kinds of apiVersion v1 a protobuf body may carry; each is also its message's name. */
const KINDS: ReadonlySet<string> = new Set(["Namespace", "ConfigMap", "Secret", "ServiceAccount", "Service"]);

// ---------------------------------------------------------------------------
// The wire format.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

interface WireField {
  no: number;
  wire: number;
  /** Varint and fixed values as unsigned 64-bit; length-delimited values as bytes. */
  value: bigint | Uint8Array;
  /** Byte offset of the field's tag inside its message, for error messages. */
  at: number;
}

/** Malformed input: becomes a 400 whose message says where decoding stopped. */
class DecodeError extends Error {}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new DecodeError(`truncated varint at byte ${pos}`);
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return [BigInt.asUintN(64, result), pos];
  }
  throw new DecodeError(`varint longer than 10 bytes at byte ${pos}`);
}

function readFixed(buf: Uint8Array, pos: number, size: number): bigint {
  if (pos + size > buf.length) throw new DecodeError(`truncated fixed${size * 8} at byte ${pos}`);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i]);
  return v;
}

/** Splits one message into its fields, in wire order. Groups (wire types 3, 4) are rejected. */
function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const at = pos;
    const [tag, next] = readVarint(buf, pos);
    pos = next;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0 || no > 0x1fffffff) throw new DecodeError(`invalid field number ${no} at byte ${at}`);
    switch (wire) {
      case WIRE_VARINT: {
        const [v, after] = readVarint(buf, pos);
        out.push({ no, wire, value: v, at });
        pos = after;
        break;
      }
      case WIRE_FIXED64:
        out.push({ no, wire, value: readFixed(buf, pos, 8), at });
        pos += 8;
        break;
      case WIRE_FIXED32:
        out.push({ no, wire, value: readFixed(buf, pos, 4), at });
        pos += 4;
        break;
      case WIRE_BYTES: {
        const [len, start] = readVarint(buf, pos);
        if (len > BigInt(buf.length - start)) throw new DecodeError(`field ${no} at byte ${at} is longer than the message`);
        const end = start + Number(len);
        out.push({ no, wire, value: buf.subarray(start, end), at });
        pos = end;
        break;
      }
      default:
        throw new DecodeError(`unsupported wire type ${wire} for field ${no} at byte ${at}`);
    }
  }
  return out;
}

const utf8 = new TextDecoder("utf-8");

function bytesOf(f: WireField, where: string): Uint8Array {
  if (f.wire !== WIRE_BYTES || !(f.value instanceof Uint8Array)) {
    throw new DecodeError(`${where}: wire type ${f.wire}, expected length-delimited`);
  }
  return f.value;
}

function varintOf(f: WireField, where: string): bigint {
  if (f.wire !== WIRE_VARINT || typeof f.value !== "bigint") throw new DecodeError(`${where}: wire type ${f.wire}, expected varint`);
  return f.value;
}

function scalarFromVarint(v: bigint, type: ScalarType): number | boolean {
  if (type === "bool") return v !== 0n;
  // int32 negatives travel sign-extended to 64 bits.
  return Number(type === "int32" ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v));
}

function decodeScalar(f: WireField, type: ScalarType, where: string): unknown {
  switch (type) {
    case "string": return utf8.decode(bytesOf(f, where));
    // JSON carries []byte as base64, as the API does for Secret.data and ConfigMap.binaryData.
    case "bytes": return Buffer.from(bytesOf(f, where)).toString("base64");
    default: return scalarFromVarint(varintOf(f, where), type);
  }
}

/** Packed repeated varints (length-delimited run of varints); accepted though Kubernetes sends them unpacked. */
function decodePacked(buf: Uint8Array, type: ScalarType): unknown[] {
  const out: unknown[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [v, next] = readVarint(buf, pos);
    out.push(scalarFromVarint(v, type));
    pos = next;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Custom types: messages whose JSON form is a scalar.

/** metav1.Time: {seconds, nanos} → RFC 3339 with second precision; zero or empty → unset. */
function decodeTime(buf: Uint8Array, where: string): string | undefined {
  let seconds = 0n;
  for (const f of readFields(buf)) if (f.no === 1) seconds = BigInt.asIntN(64, varintOf(f, `${where}.seconds`));
  // Go's zero time.Time (0001-01-01T00:00:00Z) is what a client sends for "not set".
  if (seconds === 0n && buf.length === 0) return undefined;
  if (seconds === -62135596800n) return undefined;
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new DecodeError(`${where}: time out of range`);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** intstr.IntOrString: {type 1 (0 int, 1 string), intVal 2, strVal 3} → number or string. */
function decodeIntOrString(buf: Uint8Array, where: string): number | string {
  let kind = 0n;
  let intVal = 0;
  let strVal = "";
  for (const f of readFields(buf)) {
    if (f.no === 1) kind = varintOf(f, `${where}.type`);
    else if (f.no === 2) intVal = scalarFromVarint(varintOf(f, `${where}.intVal`), "int32") as number;
    else if (f.no === 3) strVal = utf8.decode(bytesOf(f, `${where}.strVal`));
  }
  return kind === 1n ? strVal : intVal;
}

/** metav1.FieldsV1: {Raw 1: JSON bytes} → the JSON value itself. */
function decodeFieldsV1(buf: Uint8Array, where: string): unknown {
  let raw: Uint8Array | undefined;
  for (const f of readFields(buf)) if (f.no === 1) raw = bytesOf(f, `${where}.Raw`);
  if (raw === undefined || raw.length === 0) return {};
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    throw new DecodeError(`${where}: not valid JSON`);
  }
}

const CUSTOM: Readonly<Record<string, (buf: Uint8Array, where: string) => unknown>> = {
  Time: decodeTime,
  IntOrString: decodeIntOrString,
  FieldsV1: decodeFieldsV1,
};

// ---------------------------------------------------------------------------
// Messages.

/** One value of `type` from a length-delimited payload or a varint field. */
function decodeValue(f: WireField, type: string, where: string): unknown {
  if (SCALARS.has(type)) return decodeScalar(f, type as ScalarType, where);
  const custom = CUSTOM[type];
  if (custom) return custom(bytesOf(f, where), where);
  return decodeMessage(bytesOf(f, where), type, where);
}

/** A map entry message {1: key, 2: value}; a missing part is its zero value. */
function decodeMapEntry(buf: Uint8Array, type: string, where: string): [string, unknown] {
  let key = "";
  let value: unknown;
  for (const f of readFields(buf)) {
    if (f.no === 1) key = utf8.decode(bytesOf(f, `${where} key`));
    else if (f.no === 2) value = decodeValue(f, type, `${where}[${JSON.stringify(key)}]`);
  }
  if (value === undefined) {
    if (type === "string" || type === "bytes") value = "";
    else if (SCHEMAS[type]) value = {};
  }
  return [key, value];
}

/** Zero scalars are what an unset Go value field marshals to; JSON's omitempty drops them. */
function isZero(v: unknown): boolean {
  return v === "" || v === 0 || v === false;
}

function decodeMessage(buf: Uint8Array, name: string, where: string): Record<string, unknown> {
  const schema = SCHEMAS[name];
  if (!schema) throw new DecodeError(`${where}: no schema for message ${name}`);
  const out: Record<string, unknown> = {};
  for (const f of readFields(buf)) {
    // Fields this table does not know are skipped, as generated Go decoders skip them.
    const spec = schema[f.no];
    if (!spec) continue;
    const at = `${where}.${spec.name}`;
    if (spec.map) {
      const m = (out[spec.name] ??= {}) as Record<string, unknown>;
      const [k, v] = decodeMapEntry(bytesOf(f, at), spec.type, at);
      // An own property even for a key like "__proto__", as JSON.parse would make it.
      Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (spec.repeated) {
      const list = (out[spec.name] ??= []) as unknown[];
      if (f.wire === WIRE_BYTES && SCALARS.has(spec.type) && spec.type !== "string" && spec.type !== "bytes") {
        list.push(...decodePacked(bytesOf(f, at), spec.type as ScalarType));
      } else {
        list.push(decodeValue(f, spec.type, `${at}[${list.length}]`));
      }
    } else {
      const v = decodeValue(f, spec.type, at);
      const prev = out[spec.name];
      if (v === undefined || (typeof v === "string" && v === "") || (!spec.keep && isZero(v))) {
        // A later empty occurrence still overrides an earlier one (last one wins).
        delete out[spec.name];
      } else if (isPlainObject(prev) && isPlainObject(v) && SCHEMAS[spec.type]) {
        // A message field seen twice merges, as protobuf specifies.
        out[spec.name] = { ...prev, ...v };
      } else {
        out[spec.name] = v;
      }
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// The envelope.

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

/**
 * Decodes a Kubernetes protobuf body: the 4-byte magic `k8s\0`, then a runtime.Unknown
 * (typeMeta 1 {apiVersion 1, kind 2}, raw 2, contentEncoding 3, contentType 4) whose raw
 * bytes are the object in the field numbers of k8s.io/api/core/v1/generated.proto.
 * Returns the object as the JSON API has it: apiVersion and kind from typeMeta, JSON field
 * names, []byte maps as base64 strings, times as RFC 3339, and empty strings / zero scalars
 * left out (so defaulting sees them as unset: a Secret with type "" becomes Opaque).
 * Kinds: Namespace, ConfigMap, Secret, ServiceAccount, Service (the ones kubectl's typed
 * generators send as protobuf). Throws ApiError 400 for malformed input, 415 for other kinds.
 */
export function decodeProtobufObject(bytes: Uint8Array): ApiObject {
  try {
    if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
      throw new DecodeError("missing the k8s\\x00 prefix");
    }
    let apiVersion = "";
    let kind = "";
    let raw: Uint8Array = new Uint8Array();
    let contentEncoding = "";
    let contentType = "";
    for (const f of readFields(bytes.subarray(MAGIC.length))) {
      if (f.no === 1) {
        for (const t of readFields(bytesOf(f, "typeMeta"))) {
          if (t.no === 1) apiVersion = utf8.decode(bytesOf(t, "typeMeta.apiVersion"));
          else if (t.no === 2) kind = utf8.decode(bytesOf(t, "typeMeta.kind"));
        }
      } else if (f.no === 2) raw = bytesOf(f, "raw");
      else if (f.no === 3) contentEncoding = utf8.decode(bytesOf(f, "contentEncoding"));
      else if (f.no === 4) contentType = utf8.decode(bytesOf(f, "contentType"));
    }
    if (contentEncoding !== "") throw new DecodeError(`unsupported contentEncoding ${JSON.stringify(contentEncoding)}`);
    if (kind === "") throw new DecodeError("typeMeta has no kind");
    let body: Record<string, unknown>;
    if (contentType === "application/json") {
      const parsed: unknown = JSON.parse(utf8.decode(raw));
      if (!isPlainObject(parsed)) throw new DecodeError("raw JSON is not an object");
      body = parsed;
    } else {
      if (contentType !== "" && !isProtobufContentType(contentType)) {
        throw new DecodeError(`unsupported contentType ${JSON.stringify(contentType)}`);
      }
      if (apiVersion !== "v1" || !KINDS.has(kind)) {
        throw unsupportedMediaType(`protobuf request bodies of kind ${JSON.stringify(kind)} in ${JSON.stringify(apiVersion)} are not supported - send application/json`);
      }
      body = decodeMessage(raw, kind, kind);
    }
    const { apiVersion: _a, kind: _k, metadata, ...rest } = body;
    return { apiVersion, kind, metadata: isPlainObject(metadata) ? metadata : {}, ...rest };
  } catch (e) {
    if (e instanceof DecodeError || e instanceof SyntaxError) {
      throw badRequest(`the body of the request could not be decoded as Kubernetes protobuf: ${e.message}`);
    }
    throw e;
  }
}
