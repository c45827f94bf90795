import { describe, expect, it } from "vitest";
import type { FieldError } from "../../../src/api/errors.ts";
import type { Service } from "../../../src/api/types.ts";
import { serviceStrategy } from "../../../src/controlplane/apiserver/strategies/service.ts";

const ctx = { now: new Date("2024-05-01T12:00:00Z"), random: () => 0.5 };
const flat = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

function svc(spec: Service["spec"], name = "web"): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec };
}
function created(s: Service): Service {
  serviceStrategy.prepareForCreate!(s, ctx);
  return s;
}

describe("service defaults", () => {
  it("ClusterIP service", () => {
    const s = created(svc({ selector: { app: "web" }, ports: [{ port: 80 }] }));
    expect(s.spec).toEqual({
      selector: { app: "web" }, ports: [{ port: 80, protocol: "TCP", targetPort: 80 }], type: "ClusterIP",
      sessionAffinity: "None", internalTrafficPolicy: "Cluster", ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack",
    });
    expect(s.status).toEqual({ loadBalancer: {} });
    expect(serviceStrategy.validate(s)).toEqual([]);
  });

  it("NodePort/LoadBalancer get externalTrafficPolicy; ClientIP a timeout; named targetPort kept", () => {
    const s = created(svc({ type: "LoadBalancer", sessionAffinity: "ClientIP", ports: [{ port: 80, targetPort: "http" }] }));
    expect(s.spec).toMatchObject({
      externalTrafficPolicy: "Cluster", internalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true,
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, ports: [{ port: 80, targetPort: "http", protocol: "TCP" }],
    });
  });

  it("a requested clusterIP fills clusterIPs; ExternalName gets no IP families", () => {
    expect(created(svc({ clusterIP: "10.0.0.20", ports: [{ port: 80 }] })).spec.clusterIPs).toEqual(["10.0.0.20"]);
    const en = created(svc({ type: "ExternalName", externalName: "db.example.com" }));
    expect(en.spec.ipFamilies).toBeUndefined();
    expect(en.spec.internalTrafficPolicy).toBeUndefined();
    expect(serviceStrategy.validate(en)).toEqual([]);
  });
});

describe("service validation", () => {
  it.each<[string, Service, string[]]>([
    ["name starting with a digit", svc({ ports: [{ port: 80 }] }, "1web"), [`metadata.name: Invalid value: "1web": ${DNS1035}`]],
    ["no ports", svc({}), ["spec.ports: Required value"]],
    ["headless needs no ports", svc({ clusterIP: "None" }), []],
    ["port out of range", svc({ ports: [{ port: 0 }] }), [
      "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
      "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
    ]],
    ["several ports need names", svc({ ports: [{ port: 80 }, { name: "https", port: 443 }] }), ["spec.ports[0].name: Required value"]],
    ["duplicate port names", svc({ ports: [{ name: "web", port: 80 }, { name: "web", port: 81 }] }), ['spec.ports[1].name: Duplicate value: "web"']],
    ["duplicate port/protocol", svc({ ports: [{ name: "a", port: 80 }, { name: "b", port: 80 }] }), ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']],
    ["same port, other protocol", svc({ ports: [{ name: "a", port: 53 }, { name: "b", port: 53, protocol: "UDP" }] }), []],
    ["bad target port name", svc({ ports: [{ port: 80, targetPort: "Web_Port" }] }), [
      'spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]],
    ["nodePort on ClusterIP", svc({ ports: [{ port: 80, nodePort: 30080 }] }), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ["nodePort on NodePort", svc({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }), []],
    ["bad type", svc({ type: "Magic", ports: [{ port: 80 }] }), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ["bad affinity", svc({ sessionAffinity: "Sticky", ports: [{ port: 80 }] }), ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']],
    ["bad cluster IP", svc({ clusterIP: "10.0.0.300", ports: [{ port: 80 }] }), ['spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ["bad protocol", svc({ ports: [{ port: 80, protocol: "ICMP" }] }), ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
    ["external name required", svc({ type: "ExternalName" }), ["spec.externalName: Required value"]],
    ["bad selector", svc({ selector: { app: "-x" }, ports: [{ port: 80 }] }), [
      "spec.selector: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]],
  ])("%s", (_, s, want) => {
    expect(flat(serviceStrategy.validate(created(s)))).toEqual(want);
  });
});

describe("service updates", () => {
  function stored(): Service {
    const s = created(svc({ type: "NodePort", selector: { app: "web" }, ports: [{ port: 80 }] }));
    s.spec.clusterIP = "10.0.0.12";
    s.spec.clusterIPs = ["10.0.0.12"];
    s.spec.ports![0]!.nodePort = 30080;
    s.metadata.uid = "u";
    s.metadata.resourceVersion = "5";
    s.status = { loadBalancer: { ingress: [{ ip: "1.1.1.1" }] } };
    return s;
  }

  it("clusterIP is immutable", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.spec.clusterIP = "10.0.0.99";
    next.spec.clusterIPs = ["10.0.0.99"];
    serviceStrategy.prepareForUpdate!(next, prev, ctx);
    expect(flat(serviceStrategy.validateUpdate!(next, prev))).toEqual(['spec.clusterIP: Invalid value: "10.0.0.99": field is immutable']);
  });

  it("a replaced manifest without clusterIP or nodePort keeps the allocated ones", () => {
    const prev = stored();
    const next = svc({ type: "NodePort", selector: { app: "web", tier: "fe" }, ports: [{ port: 80 }] });
    next.metadata.resourceVersion = "5";
    serviceStrategy.prepareForUpdate!(next, prev, ctx);
    expect(serviceStrategy.validateUpdate!(next, prev)).toEqual([]);
    expect(next.spec.clusterIP).toBe("10.0.0.12");
    expect(next.spec.clusterIPs).toEqual(["10.0.0.12"]);
    expect(next.spec.ports![0]!.nodePort).toBe(30080);
    expect(next.status).toEqual(prev.status);
    expect(next.metadata.uid).toBe("u");
    expect(next.metadata.generation).toBe(2);
  });

  it("status update keeps the spec", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.spec.type = "ClusterIP";
    next.status = { loadBalancer: { ingress: [{ ip: "2.2.2.2" }] } };
    serviceStrategy.prepareForStatusUpdate!(next, prev);
    expect(next.spec).toEqual(prev.spec);
    expect(next.status).toEqual({ loadBalancer: { ingress: [{ ip: "2.2.2.2" }] } });
  });
});
