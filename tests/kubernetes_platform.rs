//! Kubernetes clusters on the virtual infrastructure (issue 24): the sample RVTools export
//! (`samples/kubernetes-platform/`, CSV tabs, and the same tabs as an .xlsx workbook built
//! here), two well-built clusters, a badly built one, a bare-metal one, and the VMs that
//! only look like nodes.

use std::path::Path;

use serde_json::Value;

mod common;
use common::{fitscan, write};

const SAMPLE: &str = "samples/kubernetes-platform";

fn scan(args: &[&str]) -> Value {
    let out = fitscan()
        .args(["scan", "--format", "json", "--fail-on", "never"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

fn cluster<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["clusters"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no cluster {name} in {}", report["clusters"]))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn assert_sample(report: &Value, bare_metal: bool) {
    assert_eq!(
        report["errors"],
        Value::Array(vec![]),
        "{}",
        report["errors"]
    );
    let names: Vec<&str> = report["clusters"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    let mut expected = vec!["k8s-shop", "ocp-dev-x8k2p", "tkg-prod"];
    if bare_metal {
        expected.insert(0, "edge-bm");
    }
    assert_eq!(names, expected);

    for name in ["tkg-prod", "ocp-dev-x8k2p"] {
        let c = cluster(report, name);
        assert_eq!(c["phase"], "purpose-built", "{name}: {c}");
        assert_eq!(c["control_plane"], 3, "{name}");
        assert_eq!(c["ha"], true);
        assert_eq!(c["drs"], true);
        assert_eq!(c["admission_control"], true);
        assert!(
            strings(&c["findings"]).is_empty(),
            "{name}: {}",
            c["findings"]
        );
    }
    assert_eq!(cluster(report, "tkg-prod")["nodes"], 6);
    assert_eq!(cluster(report, "ocp-dev-x8k2p")["nodes"], 5);

    let shop = cluster(report, "k8s-shop");
    assert_eq!(shop["phase"], "unchanged");
    assert_eq!(shop["nodes"], 4);
    assert_eq!(shop["control_plane"], 2);
    assert_eq!(shop["ha"], false);
    assert_eq!(
        strings(&shop["findings"]),
        [
            "KC001", "KC002", "KC003", "KC004", "KC005", "KC006", "KC007", "KC008", "KC009",
            "KC010", "KC011", "KC012", "KC013", "KC015"
        ]
    );

    // Look-alikes stay VMs: a Windows `worker-01`, Jenkins, the vCenter appliance on Photon.
    for w in report["workloads"].as_array().into_iter().flatten() {
        let name = w["name"].as_str().unwrap_or_default();
        if ["worker-01", "jenkins-master-01", "vcsa01", "db-prod-01"].contains(&name) {
            assert!(
                w["labels"]["kubernetes-cluster"].is_null(),
                "{name} is not a node"
            );
        }
    }
    let clusters = report["workloads"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|w| w["kind"] == "kubernetes-cluster")
                .count()
        })
        .unwrap_or_default();
    assert_eq!(clusters, expected.len());
}

#[test]
fn the_sample_export_gives_each_cluster_its_verdict_and_findings() {
    let report = scan(&[SAMPLE, "--metrics", &format!("{SAMPLE}/metrics.csv")]);
    assert_sample(&report, true);
    let bm = cluster(&report, "edge-bm");
    assert_eq!(bm["platform"], "bare-metal");
    assert_eq!(strings(&bm["findings"]), ["KC014"]);
    // Without utilisation, the workers' sizing is evidence needed, never a pass.
    let without = scan(&[SAMPLE]);
    let tkg = cluster(&without, "tkg-prod");
    assert_eq!(tkg["phase"], "unchanged");
    let w = without["workloads"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["name"] == "tkg-prod"))
        .unwrap_or_else(|| panic!("no tkg-prod workload"));
    assert!(
        w["evidence_needed"].to_string().contains("KC010"),
        "{}",
        w["evidence_needed"]
    );
}

/// The sample's CSV tabs written as one RVTools workbook.
fn workbook(dir: &Path) -> String {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    for (sheet, file) in [
        ("vInfo", "RVTools_tabvInfo.csv"),
        ("vCluster", "RVTools_tabvCluster.csv"),
        ("vSnapshot", "RVTools_tabvSnapshot.csv"),
        ("vCPU", "RVTools_tabvCPU.csv"),
        ("vMemory", "RVTools_tabvMemory.csv"),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(sheet).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(Path::new(SAMPLE).join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        for (r, rec) in rdr.records().enumerate() {
            let rec = rec.unwrap_or_else(|e| panic!("{file}: {e}"));
            for (c, cell) in rec.iter().enumerate() {
                ws.write_string(r as u32, c as u16, cell)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    let path = dir.join("RVTools_export.xlsx");
    wb.save(&path).unwrap_or_else(|e| panic!("save: {e}"));
    path.display().to_string()
}

#[test]
fn reservations_are_reported_unless_the_policy_allows_them() {
    let report = scan(&[SAMPLE]);
    let shop = report["workloads"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["id"] == "kubernetes-cluster:k8s-shop"))
        .unwrap_or_else(|| panic!("no k8s-shop workload"));
    let kc015: Vec<&Value> = shop["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "KC015")
        .collect();
    assert_eq!(kc015.len(), 1, "{}", shop["findings"]);
    let message = kc015[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("k8s-shop-prod-worker-01")
            && message.contains("4000 MHz CPU and 32 GiB memory"),
        "{message}"
    );
    // The database VM's memory reservation is not a node's: no cluster finding names it.
    assert!(!report.to_string().contains("db-prod-01 of"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let allow = |yaml: &str| {
        let config = write(dir.path(), ".fitscan.yaml", yaml);
        let report = scan(&["--config", &config, SAMPLE]);
        strings(&cluster(&report, "k8s-shop")["findings"]).contains(&"KC015")
    };
    assert!(!allow(
        "kubernetes-reservations:\n  - { cluster: '^k8s-shop$', role: worker, reason: guaranteed class }\n"
    ));
    assert!(allow(
        "kubernetes-reservations:\n  - { cluster: '^k8s-shop$', role: control-plane }\n"
    ));
    assert!(allow(
        "kubernetes-reservations:\n  - { cluster: '^tkg-' }\n"
    ));
}

#[test]
fn the_same_export_as_a_workbook_gives_the_same_clusters() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let xlsx = workbook(dir.path());
    let report = scan(&[&xlsx, "--metrics", &format!("{SAMPLE}/metrics.csv")]);
    assert_sample(&report, false);
}

#[test]
fn the_mapping_names_clusters_and_overrides_recognition() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(
        d,
        "RVTools_tabvInfo.csv",
        "VM,CPUs,Memory,OS according to the VMware Tools,Host,Folder\n\
         pay-node-a,4,16384,Ubuntu Linux (64-bit),esx01,DC1/vm/payments\n\
         pay-node-b,4,16384,Ubuntu Linux (64-bit),esx02,DC1/vm/payments\n\
         pay-ctl-1,2,8192,Ubuntu Linux (64-bit),esx03,DC1/vm/payments\n\
         k8s-lab-master-01,2,8192,Ubuntu Linux (64-bit),esx01,DC1/vm/lab\n\
         worker-01,4,16384,Microsoft Windows Server 2019 (64-bit),esx01,DC1/vm/apps\n",
    );
    write(
        d,
        ".fitscan.yaml",
        "kubernetes-clusters:\n  - { name: '^pay-ctl-', folder: payments, cluster: payments, role: control-plane }\n  - { folder: '/(payments)$', cluster: '$1' }\n  - { name: '^k8s-lab-', cluster: none }\n",
    );
    let out = fitscan()
        .current_dir(d)
        .args(["scan", ".", "--format", "json", "--fail-on", "never"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    let names: Vec<&str> = report["clusters"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        ["payments"],
        "the mapping wins over `k8s-lab-master-01`"
    );
    let p = cluster(&report, "payments");
    assert_eq!(p["nodes"], 3);
    assert_eq!(p["control_plane"], 1);
    assert!(strings(&p["recognised_by"])[0].starts_with("mapping (.fitscan.yaml:"));
    assert!(strings(&p["findings"]).contains(&"KC001"));

    // A typo in the mapping is a configuration error with a did-you-mean.
    write(
        d,
        ".fitscan.yaml",
        "kubernetes-clusters:\n  - { nmae: x, cluster: a }\n",
    );
    let out = fitscan()
        .current_dir(d)
        .args(["scan", ".", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `name`"), "{err}");
}

#[test]
fn anonymise_hides_cluster_names_members_and_hosts() {
    let plain = scan(&[SAMPLE]);
    let hidden = scan(&[SAMPLE, "--anonymise"]);
    let text = hidden.to_string();
    let clusters = plain["clusters"]
        .as_array()
        .unwrap_or_else(|| panic!("no clusters"));
    assert!(!clusters.is_empty());
    for c in clusters {
        let name = c["name"].as_str().unwrap_or_default();
        assert!(
            !text.contains(name),
            "cluster name {name} left in the anonymised report"
        );
        for m in c["members"].as_array().into_iter().flatten() {
            let member = m["name"].as_str().unwrap_or_default();
            assert!(
                !text.contains(&format!("\"{member}\"")),
                "member {member} left"
            );
            if let Some(host) = m["host"].as_str() {
                assert!(!text.contains(&format!("\"{host}\"")), "host {host} left");
            }
        }
    }
    // The same counts, under tokens: every cluster still names its workload.
    let tokens = hidden["clusters"].as_array().map_or(0, Vec::len);
    assert_eq!(tokens, clusters.len());
    for c in hidden["clusters"].as_array().into_iter().flatten() {
        let workload = c["workload"].as_str().unwrap_or_default();
        assert!(
            hidden["workloads"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|w| w["id"] == workload),
            "cluster {} names no workload ({workload})",
            c["name"]
        );
    }
}
