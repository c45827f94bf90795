// The log a simulated build writes: what `oc logs build/…` shows for a Source (S2I) or Docker
// build on OpenShift 4 (clone, commit, the generated or given Dockerfile's steps, commit of the
// image, push), and the failing variant. Pure: everything random comes from the caller.
import { createHash } from "node:crypto";
import type { Build } from "../../../api/openshift-types.ts";
import { strategyFrom, strategyType } from "./image-refs.ts";

/** One line and its offset from the container's start. */
export interface ScriptLine {
  atMs: number;
  text: string;
}

export interface BuildScriptInput {
  build: Build;
  /** Where the image goes (`<registry>/<ns>/<is>:<tag>` or a DockerImage name); none → no push. */
  outputRef?: string;
  /** The digest the push reports (`sha256:…`). */
  digest: string;
  /** Pause between lines, ms. */
  stepMs: number;
  /** Stop with an error at the build step instead of pushing. */
  fail: boolean;
  now: Date;
}

const hex = (s: string, n: number): string => createHash("sha256").update(s).digest("hex").slice(0, n);

function gitLines(b: Build, now: Date): string[] {
  const git = b.spec.source?.git;
  if (!git?.uri) return [];
  const rev = (b.spec.revision?.git ?? {}) as { commit?: string; message?: string; author?: { name?: string; email?: string } };
  const commit = rev.commit || hex(`${git.uri}#${git.ref ?? ""}`, 40);
  const message = rev.message || "Merge pull request from feature branch";
  const author = rev.author?.name ? `${rev.author.name} <${rev.author.email ?? ""}>` : "Developer <developer@example.com>";
  const date = now.toUTCString().replace("GMT", "+0000");
  const lines = [`Cloning "${git.uri}" ...`, `\tCommit:\t${commit} (${message.split("\n")[0]})`, `\tAuthor:\t${author}`, `\tDate:\t${date}`];
  if (b.spec.source?.contextDir) lines.push(`Using context directory "${b.spec.source.contextDir}"`);
  return lines;
}

function pullLines(image: string, seed: string): string[] {
  return [
    `Trying to pull ${image}...`,
    "Getting image source signatures",
    `Copying blob sha256:${hex(`${seed}/1`, 64)}`,
    `Copying blob sha256:${hex(`${seed}/2`, 64)}`,
    `Copying config sha256:${hex(`${seed}/c`, 64)}`,
    "Writing manifest to image destination",
  ];
}

/** Dockerfile instructions of an inline Dockerfile (continuations joined, comments dropped). */
function dockerfileSteps(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.endsWith("\\")) { cur += `${line.slice(0, -1).trim()} `; continue; }
    out.push(`${cur}${line}`);
    cur = "";
  }
  if (cur) out.push(cur.trim());
  return out;
}

function labelsStep(b: Build): string {
  const git = b.spec.source?.git;
  const rev = (b.spec.revision?.git ?? {}) as { commit?: string };
  const labels = [`"io.openshift.build.name"="${b.metadata.name}"`, `"io.openshift.build.namespace"="${b.metadata.namespace}"`];
  if (git?.uri) labels.push(`"io.openshift.build.source-location"="${git.uri}"`);
  if (rev.commit) labels.push(`"io.openshift.build.commit.id"="${rev.commit}"`);
  if (git?.ref) labels.push(`"io.openshift.build.commit.ref"="${git.ref}"`);
  return `LABEL ${labels.join(" ")}`;
}

function envStep(b: Build): string {
  const env = [`OPENSHIFT_BUILD_NAME="${b.metadata.name}"`, `OPENSHIFT_BUILD_NAMESPACE="${b.metadata.namespace}"`];
  const git = b.spec.source?.git;
  if (git?.uri) env.push(`OPENSHIFT_BUILD_SOURCE="${git.uri}"`);
  const commit = (b.spec.revision?.git as { commit?: string } | undefined)?.commit;
  if (commit) env.push(`OPENSHIFT_BUILD_COMMIT="${commit}"`);
  const holder = b.spec.strategy?.sourceStrategy ?? b.spec.strategy?.dockerStrategy;
  for (const e of holder?.env ?? []) if (e.value !== undefined) env.push(`${e.name}="${e.value}"`);
  return `ENV ${env.join(" ")}`;
}

/**
 * The build's log as timed lines. A Source build runs assemble in a generated Containerfile;
 * a Docker build runs the inline Dockerfile's instructions (or a typical one for a repository).
 * A failing build ends at the build step with the error OpenShift prints.
 */
export function buildLogScript(i: BuildScriptInput): ScriptLine[] {
  const b = i.build;
  const name = b.metadata.name ?? "";
  const ns = b.metadata.namespace ?? "";
  const type = strategyType(b.spec);
  const base = strategyFrom(b.spec.strategy)?.name ?? "";
  const temp = `temp.builder.openshift.io/${ns}/${name}:${hex(name, 8)}`;
  const lines: string[] = [...gitLines(b, i.now)];
  let failedAt = "";
  if (type === "Docker") {
    let steps = typeof b.spec.source?.dockerfile === "string" ? dockerfileSteps(b.spec.source.dockerfile) : [];
    if (steps.length === 0) steps = ["FROM registry.access.redhat.com/ubi8/ubi-minimal:latest", "COPY . /opt/app-root/src", "RUN make build", "CMD [\"/opt/app-root/src/run\"]"];
    if (base) {
      const fromAt = steps.findIndex((s) => /^FROM\s/i.test(s));
      if (fromAt >= 0) {
        lines.push(`Replaced Dockerfile FROM image ${steps[fromAt]!.split(/\s+/)[1]}`);
        steps[fromAt] = `FROM ${base}`;
      }
    }
    steps = [...steps, envStep(b), labelsStep(b)];
    lines.push('Caching blobs under "/var/cache/blobs".', "");
    const from = (steps.find((s) => /^FROM\s/i.test(s)) ?? "FROM scratch").split(/\s+/)[1]!;
    lines.push(...pullLines(from, from));
    const runAt = steps.findIndex((s) => /^RUN\s/i.test(s));
    steps.forEach((s, n) => {
      if (failedAt) return;
      lines.push(`STEP ${n + 1}/${steps.length}: ${s}`);
      if (i.fail && (n === runAt || (runAt < 0 && n === steps.length - 1))) {
        lines.push(`/bin/sh: line 1: ${s.replace(/^RUN\s+/i, "").split(/\s+/)[0]}: command failed`);
        failedAt = `error: build error: building at STEP "${s}": while running runtime: exit status 1`;
      }
    });
  } else {
    const steps = [
      `FROM ${base}`, labelsStep(b), envStep(b), "USER root", "COPY upload/src /tmp/src", "RUN chown -R 1001:0 /tmp/src",
      "USER 1001", "RUN /usr/libexec/s2i/assemble", "CMD /usr/libexec/s2i/run",
    ];
    lines.push('Caching blobs under "/var/cache/blobs".', ...pullLines(base, base), "Adding transient rw bind mount for /run/secrets/rhsm");
    steps.forEach((s, n) => {
      if (failedAt) return;
      lines.push(`STEP ${n + 1}/${steps.length}: ${s}`);
      if (s === "RUN /usr/libexec/s2i/assemble") {
        lines.push("---> Installing application source ...", "---> Installing all dependencies");
        if (i.fail) {
          lines.push("npm ERR! code ELIFECYCLE", "npm ERR! errno 1", "npm ERR! Exit status 1");
          failedAt = `error: build error: building at STEP "RUN /usr/libexec/s2i/assemble": while running runtime: exit status 1`;
          return;
        }
        lines.push("added 192 packages from 275 contributors and audited 193 packages in 6.4s", "found 0 vulnerabilities", "---> Building in production mode", "---> Pruning the development dependencies");
      }
    });
  }
  if (failedAt) {
    lines.push(failedAt);
  } else {
    const imageId = hex(`${name}/${i.digest}`, 64);
    lines.push(`COMMIT ${temp}`, "Getting image source signatures", `Copying blob sha256:${hex(`${i.digest}/layer`, 64)}`,
      `Copying config sha256:${imageId}`, "Writing manifest to image destination", `--> ${imageId.slice(0, 11)}`,
      `Successfully tagged ${temp}`, imageId, "");
    if (i.outputRef) {
      const repo = i.outputRef.replace(/:[^:/]+$/, "");
      lines.push(`Pushing image ${i.outputRef} ...`, "Getting image source signatures", `Copying blob sha256:${hex(`${i.digest}/layer`, 64)}`,
        `Copying config sha256:${imageId}`, "Writing manifest to image destination", `Successfully pushed ${repo}@${i.digest}`, "Push successful");
    }
  }
  return lines.map((text, n) => ({ atMs: n * i.stepMs, text }));
}
