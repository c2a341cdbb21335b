//! A Kubernetes estate spread over 40 namespaces, in the shapes real repositories have: one
//! object per file, multi-document bundles, `kind: List` exports and Helm-rendered output;
//! Deployments, StatefulSets, DaemonSets, CronJobs, Jobs, bare Pods and Argo Rollouts, with
//! their Services, HPAs, PDBs, NetworkPolicies, Ingresses, ConfigMaps and claims, from
//! legacy lifts to hardened services.

use std::fmt::Write as _;
use std::path::Path;

use crate::rng::Rng;

const IMAGES: &[&str] = &[
    "nginx:1.27.2",
    "ghcr.io/acme/api:3.4.1",
    "registry.example.com/shop/web:latest",
    "postgres:16.4",
    "redis:7.2",
    "busybox",
    "quay.io/acme/worker@sha256:4f1c8b8f0d2a1e9c7b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a",
    "mysql:5.7",
    "eclipse-temurin:21-jre",
    "python:3.12-slim",
];

fn container(rng: &mut Rng, name: &str, hardened: bool) -> String {
    let mut c = String::new();
    let image = if hardened {
        "ghcr.io/acme/service:2.8.0"
    } else {
        rng.pick(IMAGES)
    };
    let _ = writeln!(c, "        - name: {name}");
    let _ = writeln!(c, "          image: {image}");
    if rng.chance(20) {
        let _ = writeln!(c, "          command: [\"/usr/bin/supervisord\", \"-n\"]");
    }
    let _ = writeln!(c, "          ports:\n            - containerPort: 8080");
    let _ = writeln!(c, "          env:");
    let _ = writeln!(
        c,
        "            - name: LOG_LEVEL\n              value: info"
    );
    if !hardened && rng.chance(25) {
        let _ = writeln!(
            c,
            "            - name: DB_PASSWORD\n              value: changeme"
        );
    } else {
        let _ = writeln!(
            c,
            "            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {{ name: {name}-db, key: password }}"
        );
    }
    if hardened || rng.chance(60) {
        let _ = writeln!(
            c,
            "          readinessProbe:\n            httpGet: {{ path: /ready, port: 8080 }}"
        );
    }
    if hardened || rng.chance(50) {
        let _ = writeln!(
            c,
            "          livenessProbe:\n            httpGet: {{ path: /healthz, port: 8080 }}"
        );
    }
    if hardened || rng.chance(70) {
        let cpu = [100, 250, 500, 1000, 2000][rng.below(5) as usize];
        let mem = [128, 256, 512, 1024, 4096][rng.below(5) as usize];
        let _ = writeln!(
            c,
            "          resources:\n            requests: {{ cpu: {cpu}m, memory: {mem}Mi }}\n            limits: {{ memory: {mem}Mi }}"
        );
    }
    if hardened {
        let _ = writeln!(
            c,
            "          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {{ drop: [ALL] }}"
        );
    } else if rng.chance(10) {
        let _ = writeln!(
            c,
            "          securityContext:\n            privileged: true"
        );
    }
    c
}

fn pod_spec(rng: &mut Rng, app: &str, hardened: bool, indent: &str) -> String {
    let mut body = String::new();
    if hardened {
        let _ = writeln!(
            body,
            "      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n        seccompProfile: {{ type: RuntimeDefault }}\n      automountServiceAccountToken: false"
        );
    }
    let _ = writeln!(body, "      containers:");
    body.push_str(&container(rng, app, hardened));
    if rng.chance(30) {
        body.push_str(&container(rng, "sidecar", hardened));
    }
    if !hardened && rng.chance(15) {
        let _ = writeln!(
            body,
            "      volumes:\n        - name: data\n          hostPath: {{ path: /srv/{app} }}"
        );
    } else if rng.chance(30) {
        let _ = writeln!(
            body,
            "      volumes:\n        - name: data\n          persistentVolumeClaim: {{ claimName: {app}-data }}"
        );
    }
    body.lines()
        .map(|l| format!("{indent}{l}\n"))
        .collect::<String>()
}

fn workload(rng: &mut Rng, app: &str, ns: &str, hardened: bool) -> (&'static str, String) {
    let kind = match rng.below(20) {
        0..=11 => "Deployment",
        12..=13 => "StatefulSet",
        14 => "DaemonSet",
        15 => "CronJob",
        16 => "Job",
        17 => "Pod",
        18 => "Rollout",
        _ => "ReplicationController",
    };
    let api = match kind {
        "CronJob" | "Job" => "batch/v1",
        "Pod" | "ReplicationController" => "v1",
        "Rollout" => "argoproj.io/v1alpha1",
        _ => "apps/v1",
    };
    let mut y = format!(
        "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {app}\n  namespace: {ns}\n  labels: {{ app: {app} }}\n"
    );
    if kind == "Pod" {
        let _ = writeln!(y, "spec:");
        // The pod spec sits four columns left of a template's.
        let spec = pod_spec(rng, app, hardened, "");
        y.extend(
            spec.lines()
                .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l))),
        );
        return (kind, y);
    }
    let _ = writeln!(y, "spec:");
    if matches!(
        kind,
        "Deployment" | "StatefulSet" | "Rollout" | "ReplicationController"
    ) && rng.chance(60)
    {
        let _ = writeln!(y, "  replicas: {}", 1 + rng.below(4));
    }
    let (template_indent, header) = match kind {
        "CronJob" => (
            "      ",
            "  schedule: \"*/15 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n",
        ),
        _ => ("", "  template:\n"),
    };
    if kind != "CronJob" {
        let _ = writeln!(y, "  selector:\n    matchLabels: {{ app: {app} }}");
    }
    y.push_str(header);
    let _ = writeln!(
        y,
        "{template_indent}    metadata:\n{template_indent}      labels: {{ app: {app}, tier: backend }}\n{template_indent}    spec:"
    );
    if matches!(kind, "CronJob" | "Job") {
        let _ = writeln!(y, "{template_indent}      restartPolicy: OnFailure");
    }
    y.push_str(&pod_spec(rng, app, hardened, template_indent));
    if kind == "StatefulSet" {
        let _ = writeln!(
            y,
            "  volumeClaimTemplates:\n    - metadata: {{ name: data }}\n      spec: {{ accessModes: [ReadWriteOnce], resources: {{ requests: {{ storage: 20Gi }} }} }}"
        );
    }
    (kind, y)
}

fn companions(rng: &mut Rng, kind: &str, app: &str, ns: &str, hardened: bool) -> Vec<String> {
    let mut docs = vec![format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{ name: {app}, namespace: {ns} }}\nspec:\n  selector: {{ app: {app} }}\n  ports: [{{ port: 80, targetPort: 8080 }}]\n"
    )];
    docs.push(format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: {app}, namespace: {ns} }}\ndata:\n  MODE: production\n"
    ));
    if hardened || rng.chance(30) {
        docs.push(format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{ name: {app}, namespace: {ns} }}\nspec:\n  scaleTargetRef: {{ kind: {kind}, name: {app} }}\n  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource: {{ name: cpu, target: {{ type: Utilization, averageUtilization: 70 }} }}\n"
        ));
    }
    if hardened || rng.chance(30) {
        docs.push(format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{ name: {app}, namespace: {ns} }}\nspec:\n  maxUnavailable: 1\n  selector: {{ matchLabels: {{ app: {app} }} }}\n"
        ));
    }
    if hardened || rng.chance(25) {
        docs.push(format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{ name: {app}, namespace: {ns} }}\nspec:\n  podSelector: {{ matchLabels: {{ app: {app} }} }}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{{ podSelector: {{ matchLabels: {{ tier: frontend }} }} }}]\n"
        ));
    }
    if rng.chance(20) {
        let tls = if hardened || rng.chance(50) {
            format!("  tls: [{{ hosts: [{app}.example.com], secretName: {app}-tls }}]\n")
        } else {
            String::new()
        };
        docs.push(format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{ name: {app}, namespace: {ns} }}\nspec:\n{tls}  rules:\n    - host: {app}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend: {{ service: {{ name: {app}, port: {{ number: 80 }} }} }}\n"
        ));
    }
    if rng.chance(20) {
        docs.push(format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{ name: {app}-data, namespace: {ns} }}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {{ requests: {{ storage: 50Gi }} }}\n"
        ));
    }
    docs
}

fn indent(doc: &str, by: &str) -> String {
    doc.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("  - {l}\n")
            } else {
                format!("{by}{l}\n")
            }
        })
        .collect()
}

/// What was written: files, objects, applications, bytes.
pub struct Written {
    pub files: usize,
    pub objects: usize,
    pub applications: usize,
    pub bytes: usize,
}

/// Writes `files` manifest files under `dir`.
pub fn write(dir: &Path, files: usize) -> std::io::Result<Written> {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let mut bytes = 0;
    let mut written = 0;
    let mut objects = 0;
    let mut app = 0;
    while written < files {
        app += 1;
        let ns = format!("team-{:02}", app % 40);
        let name = format!("app-{app:05}");
        let hardened = rng.chance(15);
        let (kind, doc) = workload(&mut rng, &name, &ns, hardened);
        let mut docs = vec![doc];
        docs.extend(companions(&mut rng, kind, &name, &ns, hardened));
        let folder = dir.join(&ns).join(&name);
        std::fs::create_dir_all(&folder)?;
        let mut outputs: Vec<(String, String)> = Vec::new();
        match rng.below(4) {
            // one object per file
            0 => {
                for (i, d) in docs.iter().enumerate() {
                    outputs.push((format!("{i:02}.yaml"), d.clone()));
                }
            }
            // one multi-document bundle
            1 => outputs.push(("all.yaml".into(), docs.join("---\n"))),
            // a `kubectl get -o yaml` style List
            2 => {
                let items: String = docs.iter().map(|d| indent(d, "    ")).collect();
                outputs.push((
                    "export.yaml".into(),
                    format!("apiVersion: v1\nkind: List\nitems:\n{items}"),
                ));
            }
            // Helm-rendered output
            _ => {
                let rendered: String = docs
                    .iter()
                    .enumerate()
                    .map(|(i, d)| format!("---\n# Source: {name}/templates/{i:02}.yaml\n{d}"))
                    .collect();
                outputs.push(("rendered.yaml".into(), rendered));
            }
        }
        for (file, text) in outputs {
            if written >= files {
                break;
            }
            bytes += text.len();
            std::fs::write(folder.join(&file), text)?;
            written += 1;
        }
        objects += docs.len();
    }
    Ok(Written {
        files: written,
        objects,
        applications: app,
        bytes,
    })
}
