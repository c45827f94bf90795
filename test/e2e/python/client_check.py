"""The official Python client (python3-kubernetes) against a skiff control plane.

Lists, creates, patches, watches and deletes a pod in the namespace given as the first
argument, using the kubeconfig named by $KUBECONFIG. Prints one line per step; any failed
check raises, so the exit code is non-zero.
"""
import sys

from kubernetes import client, config, watch

NAMESPACE = sys.argv[1] if len(sys.argv) > 1 else "default"
NAME = "py-client-pod"


def main():
    config.load_kube_config()
    v1 = client.CoreV1Api()

    before = v1.list_namespaced_pod(NAMESPACE, label_selector="app=py-client")
    assert before.items == [], f"expected no pods yet, got {[p.metadata.name for p in before.items]}"
    print("list ok")

    pod = client.V1Pod(
        api_version="v1",
        kind="Pod",
        metadata=client.V1ObjectMeta(name=NAME, labels={"app": "py-client"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="app", image="docker.io/library/busybox:1.36")]),
    )
    created = v1.create_namespaced_pod(NAMESPACE, pod)
    assert created.metadata.name == NAME and created.metadata.uid, "create returned no uid"
    print("create ok")

    listed = v1.list_namespaced_pod(NAMESPACE, label_selector="app=py-client")
    assert [p.metadata.name for p in listed.items] == [NAME], "the created pod is not listed"
    start = listed.metadata.resource_version

    patched = v1.patch_namespaced_pod(NAME, NAMESPACE, {"metadata": {"labels": {"stage": "patched"}}})
    assert patched.metadata.labels.get("stage") == "patched", "patch did not set the label"
    assert patched.metadata.labels.get("app") == "py-client", "patch dropped a label"
    print("patch ok")

    v1.delete_namespaced_pod(NAME, NAMESPACE, grace_period_seconds=0)
    print("delete ok")

    seen = []
    w = watch.Watch()
    for event in w.stream(v1.list_namespaced_pod, NAMESPACE, label_selector="app=py-client",
                          resource_version=start, timeout_seconds=15):
        seen.append((event["type"], event["object"].metadata.name))
        if event["type"] == "DELETED":
            w.stop()
    assert ("MODIFIED", NAME) in seen, f"watch missed the patch: {seen}"
    assert ("DELETED", NAME) in seen, f"watch missed the delete: {seen}"
    print("watch ok")


if __name__ == "__main__":
    main()
