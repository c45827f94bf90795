// What an OpenShift cluster has from the start: the `openshift` namespace holding the builder
// and database image streams that templates name (nodejs:20-ubi8, postgresql:12-el8, …), each
// tag resolved in status through the image stream strategy's emulated import.
import { ApiError } from "../../api/errors.ts";
import type { ApiObject } from "../../api/types.ts";
import type { Registry } from "./registry.ts";

/** Namespace of the shared image streams, as on OpenShift. */
export const OPENSHIFT_NAMESPACE = "openshift";

/** stream → tag → source pull spec, or `=<tag>` for a tag that follows another tag of the stream. */
export const OPENSHIFT_IMAGE_STREAMS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  nodejs: { "16-ubi8": "registry.redhat.io/ubi8/nodejs-16:latest", "18-ubi8": "registry.redhat.io/ubi8/nodejs-18:latest", "20-ubi8": "registry.redhat.io/ubi8/nodejs-20:latest", latest: "=20-ubi8" },
  python: { "3.9-ubi8": "registry.redhat.io/ubi8/python-39:latest", "3.11-ubi8": "registry.redhat.io/ubi8/python-311:latest", latest: "=3.11-ubi8" },
  ruby: { "3.1-ubi8": "registry.redhat.io/ubi8/ruby-31:latest", "3.3-ubi8": "registry.redhat.io/ubi8/ruby-33:latest", latest: "=3.3-ubi8" },
  php: { "8.0-ubi8": "registry.redhat.io/ubi8/php-80:latest", "8.2-ubi8": "registry.redhat.io/ubi8/php-82:latest", latest: "=8.2-ubi8" },
  perl: { "5.32-ubi8": "registry.redhat.io/ubi8/perl-532:latest", latest: "=5.32-ubi8" },
  httpd: { "2.4-el8": "registry.redhat.io/rhel8/httpd-24:latest", latest: "=2.4-el8" },
  nginx: { "1.20-ubi8": "registry.redhat.io/ubi8/nginx-120:latest", "1.22-ubi8": "registry.redhat.io/ubi8/nginx-122:latest", latest: "=1.22-ubi8" },
  golang: { "1.20-ubi8": "registry.redhat.io/ubi8/go-toolset:1.20", latest: "=1.20-ubi8" },
  java: { "openjdk-17-ubi8": "registry.redhat.io/ubi8/openjdk-17:latest", "openjdk-21-ubi8": "registry.redhat.io/ubi8/openjdk-21:latest", latest: "=openjdk-21-ubi8" },
  dotnet: { "8.0-ubi8": "registry.redhat.io/ubi8/dotnet-80:latest", latest: "=8.0-ubi8" },
  postgresql: { "12-el8": "registry.redhat.io/rhel8/postgresql-12:latest", "13-el8": "registry.redhat.io/rhel8/postgresql-13:latest", "15-el9": "registry.redhat.io/rhel9/postgresql-15:latest", latest: "=15-el9" },
  mysql: { "8.0-el8": "registry.redhat.io/rhel8/mysql-80:latest", "8.4-el10": "registry.redhat.io/rhel10/mysql-84:latest", latest: "=8.4-el10" },
  mariadb: { "10.5-el8": "registry.redhat.io/rhel8/mariadb-105:latest", latest: "=10.5-el8" },
  redis: { "6-el8": "registry.redhat.io/rhel8/redis-6:latest", "7-el9": "registry.redhat.io/rhel9/redis-7:latest", latest: "=7-el9" },
  mongodb: { "3.6": "docker.io/centos/mongodb-36-centos7:latest", latest: "=3.6" },
  jenkins: { "2": "registry.redhat.io/ocp-tools-4/jenkins-rhel8:v4.14", latest: "=2" },
  "jboss-amq-63": { "1.4": "registry.redhat.io/jboss-amq-6/amq63-openshift:1.4" },
};

/** The ImageStream object of one entry of OPENSHIFT_IMAGE_STREAMS. */
export function openShiftImageStream(name: string, tags: Readonly<Record<string, string>>): ApiObject {
  return {
    apiVersion: "image.openshift.io/v1", kind: "ImageStream",
    metadata: { name, namespace: OPENSHIFT_NAMESPACE, annotations: { "openshift.io/display-name": name } },
    spec: {
      tags: Object.entries(tags).map(([tag, src]) => ({
        name: tag,
        annotations: { "openshift.io/display-name": `${name} ${tag}` },
        from: src.startsWith("=") ? { kind: "ImageStreamTag", name: src.slice(1) } : { kind: "DockerImage", name: src },
        referencePolicy: { type: "Local" },
      })),
    },
  };
}

const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.status.reason === "AlreadyExists";

/**
 * Creates the `openshift` namespace and each missing image stream. Idempotent: what exists is
 * left as it is (a user may have changed it), and a concurrent creator is not an error.
 */
export async function bootstrapOpenShift(registry: Registry, exists: (key: string) => boolean): Promise<void> {
  if (!exists(`/namespaces/${OPENSHIFT_NAMESPACE}`)) {
    try {
      await registry.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: OPENSHIFT_NAMESPACE } }, { dryRun: false });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
  for (const [name, tags] of Object.entries(OPENSHIFT_IMAGE_STREAMS)) {
    if (exists(`/imagestreams/${OPENSHIFT_NAMESPACE}/${name}`)) continue;
    try {
      await registry.create("imagestreams", OPENSHIFT_NAMESPACE, openShiftImageStream(name, tags), { dryRun: false });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}
