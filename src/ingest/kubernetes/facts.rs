//! The facts of Kubernetes workloads (`build_workload`, `augment_container`, `image`) and
//! of the companions joined to them (`companions`), and of KubeVirt VMs (`kubevirt`).

use crate::model::Target;
use crate::model::{FactDoc, FactGroup};

pub const FACTS: &[FactGroup] = &[
    FactGroup {
        targets: &[Target::Kubernetes],
        title: "From the object and the companions joined to it",
        facts: &[
            FactDoc::new(
                "object_kind",
                "the object's `kind` (Deployment, CronJob, Rollout, ...)",
            ),
            FactDoc::new("api_version", "the object's `apiVersion`"),
            FactDoc::new("namespace", "`metadata.namespace` (`default` when absent)"),
            FactDoc::new("object_name", "`metadata.name`"),
            FactDoc::new("shape", "pod, replicated, daemon or batch"),
            FactDoc::new(
                "scalable",
                "the kind runs replicas (Deployment, StatefulSet, ReplicaSet, custom kinds)",
            ),
            FactDoc::new("batch", "the kind runs to completion (Job, CronJob)"),
            FactDoc::new("daemon", "the kind runs one pod per node (DaemonSet)"),
            FactDoc::open(
                "pod",
                "the pod spec as written (`spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec`), whatever the kind",
            ),
            FactDoc::open("pod_labels", "the pod template's labels"),
            FactDoc::open("pod_annotations", "the pod template's annotations"),
            FactDoc::open(
                "containers[*]",
                "long-running containers as written: `containers` plus native sidecars (init containers with `restartPolicy: Always`), with the keys below",
            ),
            FactDoc::open(
                "init_containers[*]",
                "the other init containers, as written, with the keys below",
            ),
            FactDoc::open("all_containers[*]", "both lists together"),
            FactDoc::open(
                "{containers,init_containers,all_containers}[*].security",
                "the effective security context: the pod's runAsUser, runAsGroup, runAsNonRoot, seLinuxOptions, seccompProfile, appArmorProfile, windowsOptions, overridden by the container's `securityContext` (each value at its line)",
            ),
            FactDoc::new(
                "{containers,init_containers,all_containers}[*].command_line",
                "`command` and `args` as one line, list elements joined by spaces (flags with their values: `--appendonly yes`)",
            ),
            FactDoc::new(
                "{containers,init_containers,all_containers}[*].effective_requests.{cpu,memory}",
                "the request, else the limit (as the API server defaults it), else the namespace's LimitRange default",
            ),
            FactDoc::new(
                "{containers,init_containers,all_containers}[*].effective_limits.{cpu,memory}",
                "the limit, else the namespace's LimitRange default",
            ),
            FactDoc::new(
                "{containers,init_containers,all_containers}[*].{effective_requests,effective_limits}.defaulted_by",
                "the LimitRange (`file:line`) that filled a missing value in",
            ),
            FactDoc::new(
                "{containers,init_containers,all_containers}[*].{image_repository,image_name,image_tag,image_digest}",
                "the image reference split (at the image's line): `registry/path`, last path part, tag, digest",
            ),
            FactDoc::new(
                "{containers,init_containers,all_containers}[*].image_pin",
                "digest, tag, latest, untagged, or unresolved (a template or variable)",
            ),
            FactDoc::new(
                "{containers,init_containers,all_containers}[*].sidecar",
                "a native sidecar (an init container with `restartPolicy: Always`)",
            ),
            FactDoc::new(
                "replicas",
                "`spec.replicas` (Jobs: `parallelism`; default 1) at its line",
            ),
            FactDoc::new(
                "replicas_set",
                "whether `spec.replicas` (or `parallelism`) is written",
            ),
            FactDoc::new(
                "min_replicas",
                "fewest replicas: the fixed count, or the lowest floor of the joined autoscalers",
            ),
            FactDoc::new(
                "max_replicas",
                "most replicas: the fixed count, or the highest ceiling of the joined autoscalers",
            ),
            FactDoc::new(
                "cnf",
                "a containerised network function: the pod declares Multus networks (`k8s.v1.cni.cncf.io/networks`), SR-IOV or other network device-plugin resources, or hugepages",
            ),
            FactDoc::new(
                "cnf_features[*]",
                "what makes it a CNF, each at its line (the annotation, the resource)",
            ),
            FactDoc::new(
                "host_namespaces[*]",
                "`hostNetwork: true`, `hostPID: true`, `hostIPC: true`, each at its line",
            ),
            FactDoc::new(
                "external_config",
                "any environment, arguments, ConfigMap, Secret, projected or downward API volume",
            ),
            FactDoc::new(
                "persistent_volumes[*]",
                "names of volumes that keep data beyond the pod: claims, claim templates, in-tree network volumes (nfs, cinder, awsElasticBlockStore, ...)",
            ),
            FactDoc::new(
                "claims[*]",
                "PersistentVolumeClaims the pod uses, and a StatefulSet's claim templates",
            ),
            FactDoc::new("claims[*].name", "the claim's name"),
            FactDoc::new(
                "claims[*].template",
                "a StatefulSet claim template (one claim per replica)",
            ),
            FactDoc::new("claims[*].volume", "the pod volume that mounts the claim"),
            FactDoc::new(
                "claims[*].storage_gib",
                "requested storage: the template's, or the joined claim's",
            ),
            FactDoc::new(
                "claims[*].found",
                "the claim is in the scan (same namespace); not set for templates",
            ),
            FactDoc::new("claims[*].location", "`file:line` of the joined claim"),
            FactDoc::new(
                "claims[*].access_modes[*]",
                "the joined claim's access modes",
            ),
            FactDoc::new(
                "storage_gib",
                "claimed storage: claim templates x replicas plus joined claims",
            ),
            FactDoc::new(
                "{config_maps,secrets}[*]",
                "ConfigMaps and Secrets the pod references, each at the reference",
            ),
            FactDoc::new("{config_maps,secrets}[*].name", "the referenced name"),
            FactDoc::new("{config_maps,secrets}[*].via", "env, envFrom or volume"),
            FactDoc::new(
                "{config_maps,secrets}[*].found",
                "the ConfigMap or Secret is in the scan (same namespace)",
            ),
            FactDoc::new(
                "automount_token",
                "whether a service account token is mounted: the pod's setting, else its ServiceAccount's, else true",
            ),
            FactDoc::new(
                "service_account.name",
                "`serviceAccountName` (default `default`)",
            ),
            FactDoc::new("service_account.found", "the ServiceAccount is in the scan"),
            FactDoc::new(
                "service_account.location",
                "`file:line` of the ServiceAccount",
            ),
            FactDoc::new(
                "service_account.automount",
                "the ServiceAccount's `automountServiceAccountToken`",
            ),
            FactDoc::new(
                "removed_apis[*]",
                "API versions Kubernetes removed, of the workload and of its companions, as text",
            ),
            FactDoc::new("vcpu", "CPU requests summed over containers and replicas"),
            FactDoc::new(
                "memory_gib",
                "memory requests in GiB summed over containers and replicas",
            ),
            FactDoc::new(
                "helm_source",
                "the chart template a Helm-rendered document came from (`# Source:`)",
            ),
            FactDoc::new(
                "autoscalers[*]",
                "HorizontalPodAutoscalers and KEDA ScaledObjects whose `scaleTargetRef` names the workload; a Knative Service is its own (`KnativeAutoscaler`)",
            ),
            FactDoc::new(
                "{autoscalers,pdbs,network_policies,services,ingresses}[*].kind",
                "the companion's kind",
            ),
            FactDoc::new(
                "{autoscalers,pdbs,network_policies,services,ingresses}[*].name",
                "the companion's name",
            ),
            FactDoc::new(
                "{autoscalers,pdbs,network_policies,services,ingresses}[*].location",
                "`file:line` of the companion (findings about it point there too)",
            ),
            FactDoc::new("autoscalers[*].min_replicas", "the autoscaler's floor"),
            FactDoc::new("autoscalers[*].max_replicas", "the autoscaler's ceiling"),
            FactDoc::new(
                "autoscalers[*].metrics[*]",
                "what it scales on: cpu, memory, External, KEDA trigger types, ...",
            ),
            FactDoc::new("autoscaled", "an autoscaler targets the workload"),
            FactDoc::new(
                "pdbs[*]",
                "PodDisruptionBudgets whose selector selects the pod labels (`{}` selects every pod under policy/v1)",
            ),
            FactDoc::new("pdbs[*].min_available", "the budget's `minAvailable`"),
            FactDoc::new("pdbs[*].max_unavailable", "the budget's `maxUnavailable`"),
            FactDoc::new(
                "pdbs[*].blocks_eviction",
                "the budget allows no voluntary eviction at the fewest replicas (a drain never finishes)",
            ),
            FactDoc::new(
                "blocking_pdbs[*]",
                "the budgets that block eviction, as text",
            ),
            FactDoc::new(
                "network_policies[*]",
                "NetworkPolicies whose `podSelector` selects the pod (`{}` selects every pod of the namespace)",
            ),
            FactDoc::new("network_policies[*].ingress", "the policy covers Ingress"),
            FactDoc::new("network_policies[*].egress", "the policy covers Egress"),
            FactDoc::new(
                "network_isolated",
                "a selecting NetworkPolicy covers Ingress",
            ),
            FactDoc::new("egress_isolated", "a selecting NetworkPolicy covers Egress"),
            FactDoc::new(
                "services[*]",
                "Services whose `spec.selector` matches the pod labels",
            ),
            FactDoc::new(
                "services[*].type",
                "ClusterIP (default), NodePort, LoadBalancer, ExternalName",
            ),
            FactDoc::new(
                "ingresses[*]",
                "Ingresses, Gateway API HTTPRoutes and GRPCRoutes, OpenShift Routes in front of those Services",
            ),
            FactDoc::new("ingresses[*].service", "the Service it routes to"),
            FactDoc::new(
                "ingresses[*].tls",
                "TLS: `spec.tls` covers the host (Ingress), every listener attached is HTTPS or TLS (routes); null when the Gateway is not in the scan",
            ),
            FactDoc::new("ingresses[*].hosts[*]", "the host names it serves"),
            FactDoc::new("insecure_ingresses[*]", "entry points without TLS, as text"),
        ],
    },
    FactGroup {
        targets: &[Target::Vm],
        title: "KubeVirt VirtualMachines and VirtualMachineInstances (Kubernetes manifests)",
        facts: &[FactDoc::new(
            "kubevirt",
            "a virtual machine run by KubeVirt (generation 3); its domain is read into `spec.cpu`, `spec.memory`, `spec.disks`, `spec.os`",
        )],
    },
];
