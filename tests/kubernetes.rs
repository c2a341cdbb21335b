//! Kubernetes manifests and Compose files as a user meets them on the command line.

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{fitscan, write};

fn json_of(args: &[&str]) -> Value {
    let out = fitscan()
        .args(args)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn workload<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["workloads"]
        .as_array()
        .and_then(|ws| ws.iter().find(|w| w["name"] == name))
        .unwrap_or_else(|| panic!("no workload {name} in {report}"))
}

fn rules_of(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["rule"].as_str().map(str::to_string))
        .collect()
}

/// Copies the purpose-built sample to a temporary folder, leaving `without` out.
fn purpose_built_without(without: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/kubernetes/purpose-built");
    let entries = std::fs::read_dir(&sample).unwrap_or_else(|e| panic!("{e}"));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if Some(name.as_str()) != without {
            std::fs::copy(entry.path(), dir.path().join(&name)).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    dir
}

#[test]
fn the_three_kubernetes_samples_are_one_per_phase() {
    let r = json_of(&["scan", "samples/kubernetes"]);
    assert_eq!(r["errors"], serde_json::json!([]));
    let legacy = workload(&r, "legacy-crm/crm");
    assert_eq!(legacy["phase"], "unchanged");
    assert_eq!(legacy["kind"], "kubernetes");
    assert_eq!(legacy["generation"], 3);
    assert_eq!(legacy["disconnect"], true);
    assert_eq!(legacy["id"], "kubernetes:Pod/legacy-crm/crm");
    let roadmap = rules_of(&legacy["roadmap"]);
    for rule in ["K8S001", "K8S002", "K8S003", "K8S007"] {
        assert!(roadmap.contains(&rule.to_string()), "{rule} in {roadmap:?}");
    }
    assert_eq!(workload(&r, "catalog/catalog")["phase"], "optimised");
    let pb = workload(&r, "payments/payments");
    assert_eq!(pb["phase"], "purpose-built");
    assert_eq!(pb["score"], 100);
    assert_eq!(pb["findings"], serde_json::json!([]));
    // the container is a component: three replicas (the autoscaler's floor) of its requests
    let c = &pb["components"][0];
    assert_eq!(c["name"], "api");
    assert_eq!(c["count"], 3.0);
    assert_eq!(c["rightsizing"]["current"]["vcpu"], 0.3);
    assert_eq!(pb["rightsizing"]["current"]["vcpu"], 0.9);
    assert_eq!(pb["rightsizing"]["current"]["memory_gib"], 1.5);
}

#[test]
fn purpose_built_loses_its_phase_without_its_autoscaler_or_budget() {
    let all = purpose_built_without(None);
    let r = json_of(&["scan", &all.path().display().to_string()]);
    assert_eq!(workload(&r, "payments/payments")["phase"], "purpose-built");

    // Without its autoscaler the Deployment runs its default single replica: scales-out
    // fails, one finding (K8S018) for the one gap.
    let no_hpa = purpose_built_without(Some("hpa.yaml"));
    let r = json_of(&["scan", &no_hpa.path().display().to_string()]);
    let w = workload(&r, "payments/payments");
    assert_eq!(w["phase"], "optimised");
    assert_eq!(w["held_by"], serde_json::json!(["scales-out"]));
    assert_eq!(rules_of(&w["roadmap"]), vec!["K8S018"]);
    assert_eq!(w["roadmap"][0]["property"], "scales-out");
    // the finding points at the Deployment in its own file
    let f = w["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["rule"] == "K8S018"))
        .cloned()
        .unwrap_or_default();
    assert!(
        f["file"]
            .as_str()
            .is_some_and(|p| p.ends_with("deployment.yaml"))
    );

    // Three replicas scale out without an autoscaler: the HPA is advice, not a gap.
    let replicated = purpose_built_without(Some("hpa.yaml"));
    let deployment = replicated.path().join("deployment.yaml");
    let text = std::fs::read_to_string(&deployment).unwrap_or_default();
    std::fs::write(
        &deployment,
        text.replacen("spec:\n", "spec:\n  replicas: 3\n", 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = json_of(&["scan", &replicated.path().display().to_string()]);
    let w = workload(&r, "payments/payments");
    assert_eq!(w["phase"], "purpose-built", "{}", w["roadmap"]);
    assert_eq!(rules_of(&w["roadmap"]), vec!["K8S019"]);
    assert!(
        w["roadmap"][0]["property"].is_null(),
        "advice: {}",
        w["roadmap"][0]
    );

    // A disruption budget is a plus, not a condition of healing itself.
    let no_pdb = purpose_built_without(Some("pdb.yaml"));
    let r = json_of(&["scan", &no_pdb.path().display().to_string()]);
    let w = workload(&r, "payments/payments");
    assert_eq!(w["phase"], "purpose-built");
    assert_eq!(rules_of(&w["roadmap"]), vec!["K8S020"]);
}

#[test]
fn the_compose_sample_spreads_over_the_phases() {
    let r = json_of(&["scan", "samples/compose"]);
    assert_eq!(r["errors"], serde_json::json!([]));
    let phase = |name: &str| workload(&r, name)["phase"].clone();
    assert_eq!(phase("shop/web"), "purpose-built");
    assert_eq!(phase("shop/api"), "optimised");
    assert_eq!(phase("shop/db"), "unchanged");
    assert_eq!(phase("shop/cache"), "unchanged");
    // docker-compose.override.yml is merged, not a project of its own: it keeps the
    // database's port on the loopback and pins the cache's image.
    assert_eq!(r["workloads"].as_array().map(Vec::len), Some(4));
    assert!(!rules_of(&workload(&r, "shop/db")["findings"]).contains(&"CMP021".to_string()));
    assert!(!rules_of(&workload(&r, "shop/cache")["findings"]).contains(&"CMP008".to_string()));
    let web = workload(&r, "shop/web");
    assert_eq!(web["kind"], "compose");
    assert_eq!(web["id"], "compose:shop/web");
    // two replicas of their reservations
    assert_eq!(web["rightsizing"]["current"]["vcpu"], 0.2);
    assert_eq!(web["rightsizing"]["current"]["memory_gib"], 0.25);
    let db = workload(&r, "shop/db");
    let secret = db["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["rule"] == "CMP007"))
        .cloned()
        .unwrap_or_default();
    // the finding names the variable, never its value
    assert!(
        secret["message"]
            .as_str()
            .is_some_and(|m| m.contains("POSTGRES_PASSWORD"))
    );
    assert!(!secret.to_string().contains("postgres\","), "{secret}");
}

const THREE_DOCUMENTS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: web}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:latest
";

#[test]
fn a_finding_in_the_third_document_has_its_own_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = write(dir.path(), "bundle.yaml", THREE_DOCUMENTS);
    let r = json_of(&["scan", &f]);
    let w = workload(&r, "default/web");
    assert_eq!(w["line"], 10);
    let lines: Vec<(String, u64)> = w["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "K8S008" || f["rule"] == "K8S002")
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![("K8S002".to_string(), 18), ("K8S008".to_string(), 19)]
    );
}

#[test]
fn helm_templates_are_skipped_when_walked_and_explained_when_named() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "chart/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    );
    let template = write(
        dir.path(),
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"shop.fullname\" . }}\n{{- if .Values.replicas }}\nspec:\n  replicas: {{ .Values.replicas }}\n{{- end }}\n",
    );
    let r = json_of(&["scan", &dir.path().display().to_string()]);
    assert_eq!(r["errors"], serde_json::json!([]));
    assert_eq!(r["summary"]["workloads"], 0);
    fitscan()
        .args(["scan", &template])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("helm template"));
}

#[test]
fn a_kubevirt_machine_is_a_vm_on_generation_three() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = write(
        dir.path(),
        "vm.yaml",
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: old-erp, namespace: vms}\nspec:\n  running: true\n  template:\n    spec:\n      domain:\n        cpu: {cores: 4}\n        memory: {guest: 16Gi}\n      volumes:\n        - {name: root, containerDisk: {image: 'quay.io/containerdisks/centos:7'}}\n",
    );
    let r = json_of(&["scan", &f]);
    let w = workload(&r, "vms/old-erp");
    assert_eq!(w["kind"], "vm");
    assert_eq!(w["generation"], 3);
    assert_eq!(w["rightsizing"]["current"]["vcpu"], 4.0);
    assert_eq!(w["rightsizing"]["current"]["memory_gib"], 16.0);
    // the VM rule pack applies: CentOS 7 is end of life
    let eol = w["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["rule"] == "VM012"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(eol["line"], 12);
}

#[test]
fn annotations_suppress_with_their_reason() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = THREE_DOCUMENTS.replace(
        "metadata: {name: web}\nspec:\n  template",
        "metadata:\n  name: web\n  annotations: {fitscan.io/ignore: 'K8S008: base image pinned by the platform team'}\nspec:\n  template",
    );
    let f = write(dir.path(), "bundle.yaml", &text);
    let r = json_of(&["scan", &f]);
    let w = workload(&r, "default/web");
    assert!(!rules_of(&w["findings"]).contains(&"K8S008".to_string()));
    assert_eq!(w["suppressed"][0]["rule"], "K8S008");
    assert_eq!(
        w["suppressed"][0]["reason"],
        "base image pinned by the platform team"
    );
    assert_eq!(r["summary"]["suppressed"], 1);
}

#[test]
fn a_file_of_companions_that_join_no_workload_is_a_skip_with_its_reason() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n",
    );
    write(
        dir.path(),
        "web-svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n",
    );
    let lonely = write(
        dir.path(),
        "lonely.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n",
    );
    let r = json_of(&["scan", &dir.path().display().to_string()]);
    assert_eq!(r["errors"], serde_json::json!([]));
    assert_eq!(r["summary"]["workloads"], 1);
    assert_eq!(r["summary"]["skipped_files"], 1, "{}", r["skipped"]);
    assert_eq!(r["skipped"][0]["file"], lonely.as_str());
    assert_eq!(
        r["skipped"][0]["reason"],
        "holds only Kubernetes companions (Service api, ConfigMap cfg) that match no workload in the scan"
    );
    // The Service that selects the Deployment joined it: its file is no skip.
    assert_eq!(workload(&r, "default/web")["kind"], "kubernetes");
    fitscan()
        .args(["scan", &dir.path().display().to_string(), "--verbose"])
        .args(["--fail-on", "never"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Skipped").and(predicate::str::contains(
                "lonely.yaml: holds only Kubernetes companions (Service api, ConfigMap cfg)",
            )),
        );
}
