use super::*;
use crate::ingest::{ingest, link};
use crate::model::Generation;

fn read(name: &str, text: &str) -> FileOutput {
    ingest(
        &SourceFile::from_text(name, text),
        &IngestContext::default(),
    )
}

/// Reads several files and joins them, as a scan does.
fn scan(files: &[(&str, &str)]) -> (Vec<Workload>, Vec<ScanError>) {
    let mut workloads = Vec::new();
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in files {
        let out = read(name, text);
        workloads.extend(out.workloads);
        objects.extend(out.objects);
        errors.extend(out.errors);
    }
    link(
        &mut workloads,
        objects,
        &mut errors,
        &IngestContext::default(),
    );
    (workloads, errors)
}

fn fact<'a>(w: &'a Workload, path: &str) -> Option<&'a Node> {
    w.facts.at(path)
}

fn num(w: &Workload, path: &str) -> Option<f64> {
    fact(w, path).and_then(Node::as_f64)
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: { app: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata:
      labels: { app: web, tier: front }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 1000 }
      containers:
        - name: nginx
          image: nginx:1.27
          resources:
            requests: { cpu: 500m, memory: 256Mi }
          securityContext: { runAsUser: 2000, readOnlyRootFilesystem: true }
        - name: exporter
          image: exporter:2
          resources:
            limits: { cpu: '1', memory: 1Gi }
";

#[test]
fn a_deployment_is_a_workload_with_containers_as_components() {
    let out = read("web.yaml", DEPLOYMENT);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let w = &out.workloads[0];
    assert_eq!(w.name, "shop/web");
    assert_eq!(w.id, "kubernetes:Deployment/shop/web");
    assert_eq!(
        (w.kind, w.target),
        (WorkloadKind::Kubernetes, Target::Kubernetes)
    );
    assert_eq!(w.generation, Generation::CloudNative);
    assert_eq!(w.line, 1);
    let parts: Vec<String> = w
        .components
        .iter()
        .map(|c| {
            format!(
                "{} line {} x{} {:?} {:?}",
                c.name, c.line, c.count, c.current.vcpu, c.current.memory_gib
            )
        })
        .collect();
    // requests default to limits, as the API server does
    assert_eq!(
        parts,
        vec![
            "nginx line 15 x1 Some(0.5) Some(0.25)",
            "exporter line 20 x1 Some(1.0) Some(1.0)"
        ]
    );
    assert_eq!(num(w, "vcpu"), Some(1.5));
    assert_eq!(
        fact(w, "pod_labels.tier").and_then(Node::as_str),
        Some("front")
    );
    // the effective security context: the pod's, overridden by the container's
    let nginx = fact(w, "containers")
        .and_then(Node::as_seq)
        .map(|c| c[0].clone())
        .unwrap_or_else(Node::null);
    assert_eq!(
        nginx.at("security.runAsUser").and_then(Node::as_f64),
        Some(2000.0)
    );
    assert_eq!(
        nginx.at("security.runAsNonRoot").and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(nginx.at("security.runAsNonRoot").map(|n| n.line), Some(13));
    assert_eq!(nginx.get("image_tag").and_then(Node::as_str), Some("1.27"));
    assert_eq!(fact(w, "pod.containers").map(|n| n.line), Some(14));
    assert_eq!(num(w, "replicas"), Some(1.0));
    assert_eq!(fact(w, "replicas_set").and_then(Node::as_bool), Some(false));
}

#[test]
fn multi_document_streams_keep_absolute_lines() {
    let text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: b}}\n---\n{DEPLOYMENT}"
    );
    let out = read("bundle.yaml", &text);
    assert_eq!(out.workloads.len(), 1);
    assert_eq!(out.objects.len(), 2);
    let w = &out.workloads[0];
    assert_eq!(w.line, 10);
    assert_eq!(w.components[0].line, 24);
    let image_line = fact(w, "containers")
        .and_then(Node::as_seq)
        .and_then(|c| c[1].get("image").map(|n| n.line));
    assert_eq!(image_line, Some(30));
}

#[test]
fn lists_json_and_kinds_of_list() {
    let json = r#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "ops"},
   "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "agent:1"}]}}}},
  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "agent", "namespace": "ops"}},
  {"not": "an object"}
]}"#;
    let out = read("export.json", json);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.workloads.len(), 1);
    assert_eq!(out.workloads[0].name, "ops/agent");
    assert_eq!(out.workloads[0].line, 2);
    assert!(out.workloads[0].notes[0].contains("DaemonSet"));
    assert_eq!(out.objects.len(), 1);
    let typed = "apiVersion: v1\nkind: PodList\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec: {containers: [{name: c, image: 'c:1'}]}\n";
    assert_eq!(read("pods.yaml", typed).workloads[0].line, 4);
}

#[test]
fn what_is_not_a_kubernetes_object_is_skipped_silently() {
    // a Helm Chart.yaml and a values file mention apiVersion but are not objects
    let mut chart = SourceFile::from_text("chart/Chart.yaml", "apiVersion: v2\nname: shop\n");
    chart.explicit = false;
    let out = ingest(&chart, &IngestContext::default());
    assert!(out.workloads.is_empty() && out.objects.is_empty() && out.errors.is_empty());
    let mut values = SourceFile::from_text(
        "chart/values.yaml",
        "image: {apiVersion: nope}\nreplicas: 2\n",
    );
    values.explicit = false;
    let out = ingest(&values, &IngestContext::default());
    assert!(!out.recognised && out.errors.is_empty());
}

#[test]
fn custom_resources_are_not_workloads_and_pod_templates_make_workloads() {
    let text = "\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api}
spec:
  replicas: 4
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: 'api:3'}]
---
apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: train}
spec: {tasks: []}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls}
";
    let out = read("crds.yaml", text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.workloads.len(), 1);
    let w = &out.workloads[0];
    assert_eq!(w.id, "kubernetes:Rollout/default/api");
    assert_eq!(w.components[0].count, 4.0);
    assert_eq!(fact(w, "scalable").and_then(Node::as_bool), Some(true));
    // A Job of another API group is not a batch Job; no join reads it or the Certificate,
    // so neither waits in memory for the joins.
    assert!(out.objects.is_empty(), "{:?}", out.objects);
}

#[test]
fn objects_owned_by_a_controller_are_instances_of_it_only_when_it_is_in_the_scan() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web-7d9c-x2x
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, controller: true}]
spec: {containers: [{name: web, image: 'web:1'}]}
";
    // Read as a workload; the joins drop it when its owner is in the scan.
    let mut out = read("pods.yaml", text);
    assert_eq!(out.workloads.len(), 1);
    Kubernetes.link(
        &mut out.workloads,
        Vec::new(),
        &mut Vec::new(),
        &IngestContext::default(),
    );
    assert_eq!(out.workloads.len(), 1, "the ReplicaSet is not in the scan");
    let owner = read(
        "rs.yaml",
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web-7d9c}\nspec:\n  template:\n    spec: {containers: [{name: web, image: 'web:1'}]}\n",
    );
    out.workloads.extend(owner.workloads);
    Kubernetes.link(
        &mut out.workloads,
        Vec::new(),
        &mut Vec::new(),
        &IngestContext::default(),
    );
    let names: Vec<&str> = out.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["default/web-7d9c"]);
}

#[test]
fn batch_kinds_read_their_template_and_parallelism() {
    let text = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: '@daily'
  jobTemplate:
    spec:
      parallelism: 3
      template:
        spec:
          initContainers:
            - {name: proxy, image: 'proxy:1', restartPolicy: Always, resources: {requests: {cpu: 100m}}}
            - {name: wait, image: 'busybox:1.36'}
          containers: [{name: run, image: 'report:1', resources: {requests: {cpu: '2', memory: 4G}}}]
";
    let out = read("cron.yaml", text);
    let w = &out.workloads[0];
    assert_eq!(fact(w, "batch").and_then(Node::as_bool), Some(true));
    let names: Vec<(&str, f64)> = w
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.count))
        .collect();
    // a native sidecar runs beside the job; a plain init container does not
    assert_eq!(names, vec![("run", 3.0), ("proxy", 3.0)]);
    // `4G` keeps its Kubernetes meaning: 10^9 bytes
    let mem = w.components[0].current.memory_gib.unwrap_or_default();
    assert!((mem - 4e9 / (1u64 << 30) as f64).abs() < 1e-9);
    assert_eq!(
        fact(w, "init_containers")
            .and_then(Node::as_seq)
            .map(<[Node]>::len),
        Some(1)
    );
    assert_eq!(
        fact(w, "all_containers")
            .and_then(Node::as_seq)
            .map(<[Node]>::len),
        Some(3)
    );
}

#[test]
fn bad_fields_are_errors_at_their_line_and_the_workload_survives() {
    let text = "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: many
  template:
    spec:
      containers:
        - image: 'db:1'
          resources: {requests: {cpu: 2parsecs, memory: -1Gi}}
";
    let out = read("db.yaml", text);
    assert_eq!(out.workloads.len(), 1);
    let lines: Vec<Option<u32>> = out.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![Some(5), Some(9), Some(10), Some(10)]);
    assert!(
        out.errors[0]
            .message
            .contains("StatefulSet `default/db`: spec.replicas")
    );
    assert!(out.errors[1].message.contains("containers[0] has no name"));
    let c = &out.workloads[0].components[0];
    assert_eq!((c.name.as_str(), c.current.vcpu), ("containers[0]", None));

    let out = read(
        "nopod.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {}\n",
    );
    assert!(out.workloads.is_empty());
    assert!(
        out.errors[0]
            .message
            .contains("has no pod spec (spec.template.spec)")
    );
}

#[test]
fn the_ignore_annotation_becomes_workload_suppressions() {
    let text = DEPLOYMENT.replace(
        "  labels: { app: web }\n",
        "  labels: { app: web }\n  annotations:\n    fitscan.io/ignore: \"K8S003, K8S007: sidecar-free legacy app, TICKET-12\"\n",
    );
    let w = &read("web.yaml", &text).workloads[0];
    let rules: Vec<(&str, Option<&str>, u32)> = w
        .suppressions
        .iter()
        .map(|s| (s.rule.as_str(), s.reason.as_deref(), s.line))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("K8S003", Some("sidecar-free legacy app, TICKET-12"), 8),
            ("K8S007", Some("sidecar-free legacy app, TICKET-12"), 8)
        ]
    );
    let empty = DEPLOYMENT.replace(
        "  labels: { app: web }\n",
        "  labels: { app: web }\n  annotations: { fitscan.io/ignore: ': why' }\n",
    );
    let out = read("web.yaml", &empty);
    assert!(out.errors[0].message.contains("names no rule"));
}

#[test]
fn helm_output_names_the_template_of_each_document() {
    let text = "---\n# Source: shop/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n# Source: shop/templates/web.yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'c:1'}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec: {containers: [{name: c, image: 'c:1'}]}\n";
    let out = read("rendered.yaml", text);
    let sources: Vec<Option<&str>> = out
        .workloads
        .iter()
        .map(|w| fact(w, "helm_source").and_then(Node::as_str))
        .collect();
    assert_eq!(sources, vec![Some("shop/templates/web.yaml"), None]);
    assert!(
        out.workloads[0]
            .notes
            .iter()
            .any(|n| n.contains("shop/templates/web.yaml"))
    );
}

#[test]
fn fitscan_vm_specs_stay_vm_specs() {
    let out = read(
        "vm.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: a}\nspec: {cpu: 2}\n",
    );
    assert_eq!(out.workloads[0].kind, WorkloadKind::Vm);
    assert_eq!(out.workloads[0].generation, Generation::ClientServer);
}

#[test]
fn kubevirt_machines_are_vms_on_generation_three() {
    let text = "\
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: legacy-db
  namespace: vms
  annotations: {fitscan.io/ignore: 'VM005: vendor layout'}
spec:
  runStrategy: Always
  dataVolumeTemplates:
    - metadata: {name: root}
      spec: {storage: {resources: {requests: {storage: 40Gi}}}}
  template:
    spec:
      domain:
        cpu: {sockets: 2, cores: 2, threads: 1}
        memory: {guest: 8Gi}
      volumes:
        - {name: root, dataVolume: {name: root}}
        - {name: data, emptyDisk: {capacity: 100Gi}}
        - {name: boot, containerDisk: {image: 'quay.io/containerdisks/centos:7'}}
        - {name: init, cloudInitNoCloud: {userData: '#cloud-config'}}
";
    let out = read("vm.yaml", text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let w = &out.workloads[0];
    assert_eq!((w.kind, w.target), (WorkloadKind::Vm, Target::Vm));
    assert_eq!(w.generation, Generation::CloudNative);
    assert_eq!(w.name, "vms/legacy-db");
    assert_eq!(w.id, "vm:kubevirt/vms/legacy-db");
    assert_eq!(w.current.vcpu, Some(4.0));
    assert_eq!(w.current.memory_gib, Some(8.0));
    assert_eq!(w.current.storage_gib, Some(140.0));
    assert_eq!(fact(w, "vcpu").map(|n| n.line), Some(15));
    assert_eq!(fact(w, "os").and_then(Node::as_str), Some("centos 7"));
    assert_eq!(fact(w, "platform").and_then(Node::as_str), Some("kubevirt"));
    assert_eq!(
        w.doc.at("spec.app.config").and_then(Node::as_str),
        Some("files")
    );
    assert_eq!(w.suppressions[0].rule, "VM005");
}

const SERVICE_AND_FRIENDS: &str = "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: public, namespace: shop}
spec:
  tls: [{hosts: ['*.example.com']}]
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
    - host: example.org
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {name: web}
  minReplicaCount: 2
  maxReplicaCount: 20
  triggers: [{type: prometheus, metadata: {}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {maxUnavailable: 0, selector: {matchExpressions: [{key: tier, operator: In, values: [front]}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: other-namespace, namespace: elsewhere}
spec: {podSelector: {}}
";

#[test]
fn companions_join_across_files_by_reference_and_selector() {
    let (ws, errors) = scan(&[
        ("web.yaml", DEPLOYMENT),
        ("friends.yaml", SERVICE_AND_FRIENDS),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    let w = &ws[0];
    let scaler = fact(w, "autoscalers")
        .and_then(Node::as_seq)
        .map(|s| s[0].clone());
    let scaler = scaler.unwrap_or_else(Node::null);
    assert_eq!(
        scaler.get("kind").and_then(Node::as_str),
        Some("ScaledObject")
    );
    assert_eq!(
        scaler.get("location").and_then(Node::as_str),
        Some("friends.yaml:17")
    );
    // in another file: numbered after the workload's own file, and located back there
    assert!(scaler.line > 0);
    let (file, line) = w.locate(scaler.line);
    assert_eq!((file.as_ref(), line), ("friends.yaml", 17));
    // without spec.replicas, the autoscaler's floor is what runs: the fewest replicas too
    assert_eq!(
        (num(w, "min_replicas"), num(w, "max_replicas")),
        (Some(2.0), Some(20.0))
    );
    assert_eq!(w.components[0].count, 2.0);
    assert_eq!(
        fact(w, "services")
            .and_then(Node::as_seq)
            .map(<[Node]>::len),
        Some(1)
    );
    // one TLS-covered rule and one plain one to the same Service: not TLS overall
    let ingress = fact(w, "ingresses")
        .and_then(Node::as_seq)
        .map(|s| s[0].clone());
    assert_eq!(
        ingress
            .as_ref()
            .and_then(|i| i.get("tls"))
            .and_then(Node::as_bool),
        Some(false)
    );
    let insecure = fact(w, "insecure_ingresses")
        .and_then(Node::as_seq)
        .and_then(|s| s[0].as_str().map(str::to_string));
    assert_eq!(insecure.as_deref(), Some("Ingress public (friends.yaml:6)"));
    assert_eq!(
        fact(w, "automount_token").and_then(Node::as_bool),
        Some(false)
    );
    assert_eq!(
        fact(w, "pdbs").and_then(Node::as_seq).map(<[Node]>::len),
        Some(1)
    );
    assert!(fact(w, "blocking_pdbs").is_some(), "maxUnavailable: 0");
    assert_eq!(
        fact(w, "network_isolated").and_then(Node::as_bool),
        Some(false)
    );
}

#[test]
fn claims_config_and_gateway_routes() {
    let workload = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: app:1
          envFrom: [{configMapRef: {name: app-config}}, {secretRef: {name: missing}}]
      volumes:
        - {name: data, persistentVolumeClaim: {claimName: app-data}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: app-data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 50Gi}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
---
apiVersion: v1
kind: Service
metadata: {name: app}
spec: {selector: {app: app}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app}
spec:
  parentRefs: [{name: edge, sectionName: https}]
  rules: [{backendRefs: [{name: app, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  listeners:
    - {name: http, protocol: HTTP, port: 80}
    - {name: https, protocol: HTTPS, port: 443}
";
    let (ws, errors) = scan(&[("app.yaml", workload)]);
    assert!(errors.is_empty(), "{errors:?}");
    let w = &ws[0];
    let claim = fact(w, "claims")
        .and_then(Node::as_seq)
        .map(|c| c[0].clone());
    let claim = claim.unwrap_or_else(Node::null);
    assert_eq!(claim.get("found").and_then(Node::as_bool), Some(true));
    assert_eq!(claim.get("storage_gib").and_then(Node::as_f64), Some(50.0));
    assert_eq!(num(w, "storage_gib"), Some(50.0));
    let found = |key: &str| -> Vec<(String, bool)> {
        fact(w, key)
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|r| {
                (
                    r.get("name")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default(),
                    r.get("found").and_then(Node::as_bool).unwrap_or_default(),
                )
            })
            .collect()
    };
    assert_eq!(found("config_maps"), vec![("app-config".to_string(), true)]);
    assert_eq!(found("secrets"), vec![("missing".to_string(), false)]);
    let route = fact(w, "ingresses")
        .and_then(Node::as_seq)
        .map(|s| s[0].clone());
    let route = route.unwrap_or_else(Node::null);
    assert_eq!(route.get("kind").and_then(Node::as_str), Some("HTTPRoute"));
    // attached to the HTTPS listener only
    assert_eq!(route.get("tls").and_then(Node::as_bool), Some(true));
    assert_eq!(route.line, 30, "same file: the route keeps its line");
    assert!(fact(w, "insecure_ingresses").is_none());

    let plain = workload.replace(", sectionName: https", "");
    let (ws, _) = scan(&[("app.yaml", &plain)]);
    assert!(
        fact(&ws[0], "insecure_ingresses").is_some(),
        "the HTTP listener too"
    );
    let orphan = workload.replace("kind: Gateway", "kind: Gateway2");
    let (ws, _) = scan(&[("app.yaml", &orphan)]);
    let tls = fact(&ws[0], "ingresses")
        .and_then(Node::as_seq)
        .and_then(|s| s[0].get("tls").map(Node::is_null));
    assert_eq!(tls, Some(true), "unknown without its Gateway");
}

#[test]
fn companion_errors_name_the_object_and_line() {
    let text = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec: {maxReplicas: 3}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec:
  selector:
    matchExpressions: [{key: a, operator: Near}]
";
    let (_, errors) = scan(&[("bad.yaml", text)]);
    let got: Vec<(Option<u32>, bool)> = errors
        .iter()
        .map(|e| {
            (
                e.line,
                e.message.contains("/h`") || e.message.contains("/p`"),
            )
        })
        .collect();
    assert_eq!(got, vec![(Some(4), true), (Some(11), true)]);
}

#[test]
fn knative_services_scale_themselves() {
    let text = "\
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello}
spec:
  template:
    metadata:
      annotations: {autoscaling.knative.dev/min-scale: '2', autoscaling.knative.dev/max-scale: '30'}
    spec:
      containers: [{image: 'hello:1'}]
";
    let (ws, errors) = scan(&[("ksvc.yaml", text)]);
    assert!(errors.is_empty(), "Knative names its container: {errors:?}");
    let w = &ws[0];
    assert_eq!(w.id, "kubernetes:Service/default/hello");
    assert_eq!(fact(w, "autoscaled").and_then(Node::as_bool), Some(true));
    assert_eq!(
        (num(w, "min_replicas"), num(w, "max_replicas")),
        (Some(2.0), Some(30.0))
    );
}

#[test]
fn config_maps_and_secrets_wait_for_the_joins_without_their_data() {
    let text = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  app.conf: |
    a very long configuration file
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {password: hunter2}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
";
    let out = read("companions.yaml", text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let kept: Vec<(&str, Vec<&str>)> = out
        .objects
        .iter()
        .map(|o| {
            (
                o.doc.get("kind").and_then(Node::as_str).unwrap_or(""),
                o.doc
                    .as_map()
                    .unwrap_or_default()
                    .iter()
                    .map(|e| e.key.as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("ConfigMap", vec!["apiVersion", "kind", "metadata"]),
            ("Secret", vec!["apiVersion", "kind", "metadata"]),
            ("Service", vec!["apiVersion", "kind", "metadata", "spec"]),
        ]
    );
}

/// The files whose companions joined no workload, after reading and joining `files`.
fn unjoined_companions(files: &[(&str, &str)]) -> Vec<String> {
    let mut workloads = Vec::new();
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in files {
        let out = read(name, text);
        workloads.extend(out.workloads);
        objects.extend(out.objects);
        errors.extend(out.errors);
    }
    let skips = link(
        &mut workloads,
        objects,
        &mut errors,
        &IngestContext::default(),
    );
    assert!(errors.is_empty(), "{errors:?}");
    skips.into_iter().map(|s| s.to_string()).collect()
}

#[test]
fn companions_that_join_a_workload_leave_their_file_out_of_the_skips() {
    let app = "\
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      serviceAccountName: runner
      volumes:
        - { name: data, persistentVolumeClaim: { claimName: data } }
        - { name: conf, configMap: { name: conf } }
        - { name: ceph, cephfs: { monitors: [10.0.0.1], secretRef: { name: ceph } } }
      containers:
        - name: web
          image: nginx:1.27
          envFrom: [{ secretRef: { name: creds } }]
";
    let joined = [
        (
            "hpa.yaml",
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 4\n",
        ),
        (
            "pdb.yaml",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: web}}\n",
        ),
        (
            "netpol.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all, namespace: shop}\nspec:\n  podSelector: {}\n",
        ),
        (
            "svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n",
        ),
        (
            "ing.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n    - http:\n        paths:\n          - backend: {service: {name: web, port: {number: 80}}}\n",
        ),
        (
            "pvc.yaml",
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\nspec:\n  resources: {requests: {storage: 1Gi}}\n",
        ),
        (
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: shop}\ndata: {a: b}\n",
        ),
        (
            "secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\n",
        ),
        (
            "ceph-secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: ceph, namespace: shop}\n",
        ),
        (
            "sa.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner, namespace: shop}\n",
        ),
        (
            "limits.yaml",
            "apiVersion: v1\nkind: LimitRange\nmetadata: {name: limits, namespace: shop}\nspec:\n  limits: [{type: Container, default: {cpu: '1'}}]\n",
        ),
        // One joined companion is enough for the file.
        (
            "mixed.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: unused, namespace: shop}\n",
        ),
    ];
    let lonely = [
        (
            "other-ns.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: elsewhere}\nspec:\n  selector: {app: web}\n",
        ),
        (
            "ing-nowhere.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api, namespace: shop}\nspec:\n  rules:\n    - http:\n        paths:\n          - backend: {service: {name: api, port: {number: 80}}}\n",
        ),
        (
            "limits-other.yaml",
            "apiVersion: v1\nkind: LimitRange\nmetadata: {name: limits, namespace: empty}\nspec:\n  limits: [{type: Container, default: {cpu: '1'}}]\n",
        ),
    ];
    let mut files = vec![("app.yaml", app)];
    files.extend(joined);
    files.extend(lonely);
    assert_eq!(
        unjoined_companions(&files),
        vec![
            "other-ns.yaml: holds only Kubernetes companions (Service web) that match no workload in the scan",
            "ing-nowhere.yaml: holds only Kubernetes companions (Ingress api) that match no workload in the scan",
            "limits-other.yaml: holds only Kubernetes companions (LimitRange limits) that match no workload in the scan",
        ]
    );
}

#[test]
fn companions_with_no_workload_name_at_most_five_in_the_skip() {
    let many: String = (0..7)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n---\n"))
        .collect();
    assert_eq!(
        unjoined_companions(&[("many.yaml", &many)]),
        vec![
            "many.yaml: holds only Kubernetes companions (ConfigMap c0, ConfigMap c1, ConfigMap c2, ConfigMap c3, ConfigMap c4 and 2 more) that match no workload in the scan"
        ]
    );
}
