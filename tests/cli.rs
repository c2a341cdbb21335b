//! The command line as a user meets it: exit codes, formats, errors that name the file.

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{fitscan, write};

fn json_of(args: &[&str]) -> Value {
    let out = fitscan()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

const PURPOSE_BUILT_VM: &str = "\
apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: portal }
spec:
  platform: openstack
  os: Ubuntu 24.04
  cpu: { vcpus: 2 }
  memory: 4GB
  disks: [ { size: 32GB } ]
  utilisation: { periodDays: 30, samples: 8640, cpu: { p95: 72% }, memory: { p95: 2.9GB }, storage: { used: 21GB } }
  app: { config: service, state: external, backup: crash-consistent, ha: scale-out, scaling: auto, encryption: everywhere, monitoring: application }
";

#[test]
fn the_seed_server_is_unchanged_and_right_sized_exactly() {
    let r = json_of(&[
        "scan",
        "samples/vms/telco-server.yaml",
        "--headroom",
        "0",
        "--format",
        "json",
    ]);
    let w = &r["workloads"][0];
    assert_eq!(w["name"], "cdr-collector-01");
    assert_eq!(w["phase"], "unchanged");
    assert_eq!(w["generation"], 2);
    assert_eq!(w["disconnect"], true);
    let rs = &w["rightsizing"];
    assert_eq!(rs["basis"], "utilisation");
    assert_eq!(rs["recommended"]["vcpu"], 4.0);
    assert_eq!(rs["recommended"]["memory_gib"], 32.0);
    assert_eq!(rs["recommended"]["storage_gib"], 1024.0);
    assert_eq!(rs["current"]["storage_gib"], 9000.0);
    assert_eq!(rs["reclaimable"]["vcpu"], 4.0);
    assert_eq!(rs["statistic"]["vcpu"], "p95 (given)");
    // its roadmap to optimised is right-sizing and configuration: platform work
    assert_eq!(w["disposition"], "replatform");
    let reason = w["disposition_reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(
            "reaching optimised needs platform and configuration work only: VM001 (CPU oversized for measured demand), VM002"
        ) && reason.contains("VM006 (Configuration baked into the server)"),
        "{reason}"
    );
    // VM001 1 + VM002 1 + VM003 2 + VM006 5 + VM007 3 points to optimised
    assert_eq!(w["effort"], 12);
    // health (VM019) is evidence to collect: assessment effort, apart
    assert_eq!(w["assessment_effort"], 1);
    // at --headroom 0 the disk is full after the move: said, not hidden
    let notes: Vec<&str> = rs["notes"]
        .as_array()
        .map(|n| n.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("storage: 100 % full after the move")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("file-level copy")),
        "{notes:?}"
    );
}

fn named<'a>(r: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    r["workloads"]
        .as_array()
        .and_then(|ws| ws.iter().find(|w| w["name"] == name))
        .unwrap_or_else(|| panic!("no workload {name}"))
}

#[test]
fn an_idle_vm_is_retired_and_a_mainframe_without_a_target_retained() {
    let r = json_of(&["scan", "samples/vms", "--format", "json"]);
    let idle = named(&r, "lab-build-07");
    assert_eq!(idle["disposition"], "retire");
    assert!(
        idle["disposition_reason"]
            .as_str()
            .is_some_and(|s| s
                .starts_with("VM014 (Idle server, a candidate to retire): confirm with the owner")),
        "{}",
        idle["disposition_reason"]
    );
    assert_eq!(idle["effort"], 1, "confirm and decommission");
    let lpar = named(&r, "billing-batch");
    assert_eq!(lpar["generation"], 1);
    assert_eq!(lpar["disposition"], "retain");
    assert_eq!(
        lpar["disposition_reason"],
        "generation 1 (z/OS 3.1) with no target platform named (spec.target): it stays where it is until a rehosting or rewriting target is chosen"
    );
    assert_eq!(lpar["effort"], 0);
    let s = &r["summary"];
    assert_eq!(s["by_disposition"]["retire"], 1);
    assert_eq!(s["by_disposition"]["retain"], 1);
    assert!(s["assessment_effort"].as_u64().is_some_and(|e| e > 0));
}

#[test]
fn an_active_passive_pair_is_sized_for_failover_and_the_standby_is_not_idle() {
    let r = json_of(&[
        "scan",
        "samples/vms/failover-and-storage.yaml",
        "--format",
        "json",
    ]);
    for name in ["billing-db-a", "billing-db-b"] {
        let w = named(&r, name);
        let rs = &w["rightsizing"];
        // the active node's 4.4 vCPU / 40 GiB, x 1.3: 6 vCPU, 64 GiB for both
        assert_eq!(rs["recommended"]["vcpu"], 6.0, "{name}");
        assert_eq!(rs["recommended"]["memory_gib"], 64.0, "{name}");
        assert_eq!(rs["reclaimable"]["memory_gib"], 0.0, "{name}");
        assert_ne!(
            w["disposition"], "retire",
            "{name}: a standby is never idle"
        );
        let rules: Vec<&str> = w["findings"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["rule"].as_str()).collect())
            .unwrap_or_default();
        assert!(!rules.contains(&"VM014"), "{name}: {rules:?}");
        assert!(!rules.contains(&"VM002"), "{name}: {rules:?}");
        assert!(
            rs["notes"][0]
                .as_str()
                .is_some_and(|n| n.starts_with("failover: group `billing-db` (2 members")),
            "{}",
            rs["notes"]
        );
    }
    // the passive node is sized for its peer's load, which it reports
    let b = &named(&r, "billing-db-b")["rightsizing"];
    assert_eq!(b["demand"]["vcpu"], 0.24);
    assert_eq!(b["sized_for"]["vcpu"], 4.4);
}

#[test]
fn a_95_percent_full_disk_grows_to_at_most_80_percent_and_physical_cores_are_said() {
    let r = json_of(&[
        "scan",
        "samples/vms/failover-and-storage.yaml",
        "--format",
        "json",
    ]);
    let w = named(&r, "archive-01");
    let rs = &w["rightsizing"];
    // max(950 x 1.3, 950 / 0.8) = 1235 -> 1248 GiB, 76 % full after the move
    assert_eq!(rs["recommended"]["storage_gib"], 1248.0);
    assert_eq!(rs["undersized"]["storage_gib"], "warning");
    let vm004 = w["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "VM004"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(vm004["severity"], "warning", "demand alone fits: a warning");
    let notes = rs["notes"].to_string();
    assert!(
        notes.contains("95 % full; growing to 1248 GiB leaves it 76 % full"),
        "{notes}"
    );
    assert!(
        notes.contains("8 physical cores (2 x 4) counted as 8 vCPU"),
        "{notes}"
    );
    let assumptions = r["assumptions"]["sizing_notes"].to_string();
    assert!(
        assumptions.contains("counted one vCPU per physical core"),
        "{assumptions}"
    );
    assert!(assumptions.contains("at most 80 % full"), "{assumptions}");
}

#[test]
fn a_saturated_disk_is_an_undersized_error_and_a_missing_percentile_is_said() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("full.yaml");
    std::fs::write(
        &path,
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: full }\nspec:\n  cpu: { vcpus: 4 }\n  memory: 16GB\n  disks: [ { size: 100GB } ]\n  utilisation: { periodDays: 30, samples: 8640, cpu: { p95: 50% }, memory: { peak: 8GB }, storage: { used: 120GB } }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = json_of(&[
        "scan",
        &path.display().to_string(),
        "--percentile",
        "50",
        "--format",
        "json",
    ]);
    let w = named(&r, "full");
    let vm004 = w["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "VM004"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        vm004["severity"], "error",
        "120 GiB used on 100: saturated now"
    );
    // p50 was asked for; p95 (CPU) and the peak (memory) stood in
    assert_eq!(
        w["rightsizing"]["statistic"]["memory_gib"],
        "peak (given; p50 not given)"
    );
    assert!(
        w["notes"].to_string().contains(
            "percentile: p50 was asked for but not available: CPU p95 (given; p50 not given), memory peak (given; p50 not given) stood in"
        ),
        "{}",
        w["notes"]
    );
    assert!(
        r["assumptions"]["sizing_notes"]
            .to_string()
            .contains("p50 was asked for but not available for 1 workload(s)")
    );
}

#[test]
fn the_estate_summary_splits_effort_by_disposition_and_refactoring_costs_something() {
    let r = json_of(&["scan", "samples/", "--format", "json"]);
    let s = &r["summary"];
    for d in [
        "retire",
        "retain",
        "rehost",
        "replatform",
        "refactor",
        "none",
    ] {
        assert!(s["effort"][d].is_u64(), "effort.{d}");
        assert!(s["by_disposition"][d].is_u64(), "by_disposition.{d}");
    }
    assert!(
        s["by_disposition"]["refactor"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
    assert!(s["effort"]["refactor"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(s["effort"]["none"], 0, "purpose-built workloads add none");
    assert!(s["by_disposition"]["none"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn json_matches_the_contract_field_for_field() {
    let r = json_of(&["scan", "samples/", "--format", "json"]);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "fitscan");
    assert!(r["tool"]["version"].is_string());
    let s = &r["summary"];
    for key in ["workloads", "errors", "suppressed"] {
        assert!(s[key].is_u64(), "summary.{key}");
    }
    for phase in ["unchanged", "optimised", "purpose-built"] {
        assert!(s["by_phase"][phase].is_u64(), "by_phase.{phase}");
    }
    for g in ["1", "2", "3"] {
        assert!(s["by_generation"][g].is_u64(), "by_generation.{g}");
    }
    for sev in ["error", "warning", "info"] {
        assert!(s["findings"][sev].is_u64(), "findings.{sev}");
    }
    for dim in ["vcpu", "memory_gib", "storage_gib"] {
        assert!(s["reclaimable"][dim].is_number(), "reclaimable.{dim}");
    }
    let workloads = r["workloads"].as_array().cloned().unwrap_or_default();
    assert!(workloads.len() >= 5);
    for w in &workloads {
        for key in ["id", "name", "file"] {
            assert!(w[key].is_string(), "{key}");
        }
        assert!(
            [
                "vm",
                "container-image",
                "kubernetes",
                "compose",
                "vnf",
                "kubernetes-cluster"
            ]
            .contains(&w["kind"].as_str().unwrap_or(""))
        );
        assert!(w["line"].as_u64().is_some_and(|l| l >= 1));
        assert!([1, 2, 3].contains(&w["generation"].as_u64().unwrap_or(0)));
        assert!(
            ["unchanged", "optimised", "purpose-built"]
                .contains(&w["phase"].as_str().unwrap_or(""))
        );
        assert!(w["score"].as_u64().is_some_and(|s| s <= 100));
        assert!(
            w["confidence"]
                .as_f64()
                .is_some_and(|c| (0.0..=1.0).contains(&c))
        );
        assert!(w["disconnect"].is_boolean());
        assert!(
            [
                "retire",
                "retain",
                "rehost",
                "replatform",
                "refactor",
                "none"
            ]
            .contains(&w["disposition"].as_str().unwrap_or(""))
        );
        assert!(
            w["disposition_reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "every disposition says why"
        );
        assert!(w["effort"].is_u64());
        assert!(w["assessment_effort"].is_u64());
        for item in w["roadmap"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(w["evidence_needed"].as_array().into_iter().flatten())
        {
            assert!(item["rule"].is_string() && item["title"].is_string());
        }
        for f in w["findings"].as_array().into_iter().flatten() {
            for key in ["rule", "message", "file", "remediation"] {
                assert!(f[key].is_string(), "finding.{key}");
            }
            assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap_or("")));
            assert!(["optimised", "purpose-built"].contains(&f["level"].as_str().unwrap_or("")));
            assert!(f["line"].as_u64().is_some_and(|l| l >= 1));
        }
        let rs = &w["rightsizing"];
        if !rs.is_null() {
            assert!(["utilisation", "none"].contains(&rs["basis"].as_str().unwrap_or("")));
            assert!(["low", "medium", "high"].contains(&rs["confidence"].as_str().unwrap_or("")));
            for part in ["current", "recommended", "reclaimable"] {
                for dim in ["vcpu", "memory_gib", "storage_gib"] {
                    assert!(
                        rs[part][dim].is_number() || rs[part][dim].is_null(),
                        "{part}.{dim}"
                    );
                }
            }
        }
    }
    assert!(r["errors"].is_array());
}

#[test]
fn samples_show_every_phase_and_generation() {
    let r = json_of(&["scan", "samples/vms", "--format", "json"]);
    let phase_of = |name: &str| {
        r["workloads"]
            .as_array()
            .and_then(|ws| ws.iter().find(|w| w["name"] == name))
            .map(|w| (w["phase"].clone(), w["generation"].clone()))
    };
    assert_eq!(
        phase_of("billing-batch"),
        Some(("unchanged".into(), 1.into()))
    );
    assert_eq!(phase_of("crm-app-02"), Some(("optimised".into(), 2.into())));
    assert_eq!(
        phase_of("portal-web-03"),
        Some(("purpose-built".into(), 2.into()))
    );
    assert_eq!(
        phase_of("cdr-collector-01"),
        Some(("unchanged".into(), 2.into()))
    );
}

#[test]
fn table_is_the_default_and_reads_at_a_glance() {
    fitscan()
        .args(["scan", "samples/vms/telco-server.yaml", "--headroom", "0"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("cdr-collector-01"))
        .stdout(predicate::str::contains(
            "unchanged: right-sized (+3) (disconnect)",
        ))
        .stdout(predicate::str::contains("8/128/9000 → 4/32/1024"))
        .stdout(predicate::str::contains(
            "Reclaimable: 4 vCPU, 96 GiB memory, 7976 GiB storage",
        ))
        .stderr(predicate::str::contains("gate failed"));
}

#[test]
fn every_finding_says_why_it_matters_once_per_rule() {
    // The table: what is wrong and the fix per finding, why it matters once per rule.
    fitscan()
        .args(["scan", "samples/vms/telco-server.yaml", "--headroom", "0"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "Why it matters (`fitscan rules show ID` for the whole rule)\n  VM001 CPU oversized for measured demand (optimised): A server sized for its old physical box",
        ))
        .stdout(predicate::str::contains(
            "  VM012 End-of-life operating system (optimised): An end-of-life OS",
        ));
    // JSON: the same, keyed by rule, with the rule's page; only rules the report speaks of.
    let report = json_of(&["scan", "samples/vms/telco-server.yaml", "--format", "json"]);
    let rules = report["rules"]
        .as_object()
        .unwrap_or_else(|| panic!("no rules object: {report}"));
    let vm012 = &rules["VM012"];
    assert_eq!(vm012["level"], "optimised");
    assert_eq!(vm012["severity"], "error");
    assert!(
        vm012["rationale"]
            .as_str()
            .is_some_and(|r| r.starts_with("An end-of-life OS")),
        "{vm012}"
    );
    assert_eq!(
        vm012["help_uri"],
        "https://github.com/fitscan/fitscan/blob/main/docs/rules/VM012.md"
    );
    let spoken: std::collections::BTreeSet<&str> = report["workloads"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            report["workloads"][0]["roadmap"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .chain(
            report["workloads"][0]["evidence_needed"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter_map(|f| f["rule"].as_str())
        .collect();
    let listed: std::collections::BTreeSet<&str> = rules.keys().map(String::as_str).collect();
    assert_eq!(listed, spoken);
}

#[test]
fn exit_0_when_the_gate_passes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = write(dir.path(), "portal.yaml", PURPOSE_BUILT_VM);
    fitscan().args(["scan", &f]).assert().code(0).stderr("");
    fitscan()
        .args(["scan", &f, "--min-phase", "purpose-built"])
        .assert()
        .code(0);
    fitscan()
        .args(["scan", "samples/", "--fail-on", "never"])
        .assert()
        .code(0);
}

#[test]
fn exit_1_names_the_gate_that_failed() {
    fitscan()
        .args([
            "scan",
            "samples/vms",
            "--fail-on",
            "never",
            "--min-phase",
            "optimized",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("below phase optimised"));
    fitscan()
        .args(["scan", "samples/vms/estate.yaml", "--fail-on", "warning"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("at or above severity warning"));
}

#[test]
fn exit_2_for_usage_and_configuration_errors() {
    fitscan()
        .args(["scan", "no/such/path"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no/such/path: no such file or directory",
        ));
    fitscan().args(["scan", "--no-such-flag"]).assert().code(2);
    fitscan()
        .args(["scan", ".", "--format", "yaml"])
        .assert()
        .code(2);
    fitscan()
        .args(["scan", ".", "--headroom", "0.3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ambiguous"));
    fitscan()
        .args(["scan", ".", "--percentile", "101"])
        .assert()
        .code(2);
    fitscan()
        .args(["scan", ".", "--min-phase", "perfect"])
        .assert()
        .code(2);

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bad = write(
        dir.path(),
        "bad-rules/r.yaml",
        "rules:\n  - id: X1\n    target: vm\n    level: optimised\n    serverity: error\n    title: t\n    message: m\n    remediation: r\n    when: {path: spec.os, exists: true}\n",
    );
    fitscan()
        .args(["scan", "samples/vms", "--rules", &bad])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("r.yaml:5:"))
        .stderr(predicate::str::contains("did you mean `severity`"));
}

#[test]
fn a_malformed_file_is_an_error_entry_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "a-broken.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: x\nspec: {}\n",
    );
    write(dir.path(), "b-good.yaml", PURPOSE_BUILT_VM);
    write(dir.path(), "c-empty.yaml", "");
    write(dir.path(), "notes.yaml", "just: some other yaml\n");
    let path = dir.path().display().to_string();
    let r = json_of(&["scan", &path, "--format", "json"]);
    assert_eq!(r["summary"]["workloads"], 1);
    assert_eq!(r["workloads"][0]["name"], "portal");
    let errors = r["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("a-broken.yaml"))
    );
    assert!(errors[0]["line"].as_u64().is_some_and(|l| l >= 3));
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("invalid YAML"))
    );
    // the error counts for the default gate
    fitscan().args(["scan", &path]).assert().code(1);
}

#[test]
fn a_file_named_on_the_command_line_must_be_an_input() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let notes = write(dir.path(), "notes.txt", "hello\n");
    let r = json_of(&["scan", &notes, "--format", "json"]);
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a recognised input"))
    );
}

#[test]
fn output_goes_to_a_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("report.json");
    let out_s = out.display().to_string();
    fitscan()
        .args([
            "scan",
            "samples/vms",
            "--format",
            "json",
            "--output",
            &out_s,
            "--fail-on",
            "never",
        ])
        .assert()
        .code(0)
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(text.contains("\"schema_version\": 1"));
}

#[test]
fn version_and_help() {
    fitscan()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
    fitscan()
        .args(["scan", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--headroom"))
        .stdout(predicate::str::contains("--min-phase"));
}

#[test]
fn the_default_rules_pass_their_own_tests() {
    fitscan()
        .args(["rules", "test", "rules/"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn a_broken_expectation_fails_with_a_readable_diff() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "r.yaml",
        "rules:\n  - id: ACME001\n    target: vm\n    level: optimised\n    title: Windows 2012 is a rehost blocker\n    message: \"{name} runs {value}\"\n    remediation: Upgrade.\n    needs: [spec.os]\n    at: spec.os\n    when: {path: spec.os, matches: '2012'}\n",
    );
    write(
        dir.path(),
        "r.test.yaml",
        "cases:\n  - name: fires\n    inline:\n      - name: a.yaml\n        content: |\n          apiVersion: fitscan/v1\n          kind: VirtualMachine\n          metadata: {name: a}\n          spec: {os: Windows Server 2012}\n    expect:\n      ACME001: { fires: 2 }\n  - name: passes\n    inline:\n      - name: b.yaml\n        content: |\n          apiVersion: fitscan/v1\n          kind: VirtualMachine\n          metadata: {name: b}\n          spec: {os: Windows Server 2022}\n    expect:\n      ACME001: pass\n  - name: off by one\n    inline:\n      - name: c.yaml\n        content: |\n          apiVersion: fitscan/v1\n          kind: VirtualMachine\n          metadata: {name: c}\n          spec: {os: Windows Server 2012}\n    expect:\n      ACME001: { at: [\"c.yaml:5\"] }\n",
    );
    let path = dir.path().display().to_string();
    fitscan()
        .args(["rules", "test", &path])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "ACME001: expected fires 2 time(s), got fires 1 time(s) at a.yaml:4",
        ))
        // Which expected line was not hit and which hit was not expected, named.
        .stdout(predicate::str::contains(
            "ACME001: expected fires at c.yaml:5, got fires 1 time(s) at c.yaml:4 (not at c.yaml:5; not expected at c.yaml:4)",
        ));
}

/// A rule file of one rule, with its tests (the default rules' form).
const SINGLE_RULE: &str = "\
# Windows 2012 cannot be rehosted.
id: ACME010
target: vm
level: optimised
severity: error
title: Windows 2012 is a rehost blocker
message: \"{name} runs {value}\"
remediation: Upgrade.
at: spec.os
when: {path: spec.os, matches: '2012'}

tests:
  - name: a 2012 VM fires
    files: [fixtures/w2012.yaml]
    expect: { at: [4] }
  - name: a 2022 VM passes
    inline:
      - name: b.yaml
        content: |
          apiVersion: fitscan/v1
          kind: VirtualMachine
          metadata: {name: b}
          spec: {os: Windows Server 2022}
    expect: pass
";

#[test]
fn a_rule_folder_may_mix_single_rule_files_and_packs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let single = write(dir.path(), "mix/ACME010-windows-2012.yaml", SINGLE_RULE);
    write(
        dir.path(),
        "mix/fixtures/w2012.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: a}\nspec: {os: Windows Server 2012}\n",
    );
    let pack = write(
        dir.path(),
        "mix/pack.yaml",
        "rules:\n  - id: ACME011\n    target: vm\n    level: optimised\n    title: No OS\n    message: \"{name} has no OS\"\n    remediation: Say which.\n    when: {path: spec.os, absent: true}\n",
    );
    write(
        dir.path(),
        "mix/pack.test.yaml",
        "cases:\n  - name: the 2012 VM names its OS\n    files: [fixtures/w2012.yaml]\n    expect:\n      ACME011: pass\n      ACME010: { fires: 1 }\n  - name: no OS\n    inline: [{name: c.yaml, content: \"apiVersion: fitscan/v1\\nkind: VirtualMachine\\nmetadata: {name: c}\\nspec: {}\\n\"}]\n    expect:\n      ACME011: { fires: 1 }\n",
    );
    let folder = dir.path().join("mix").display().to_string();
    fitscan()
        .args(["rules", "test", &folder])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "PASS {single}: a 2012 VM fires (line 13)"
        )))
        .stdout(predicate::str::contains("4 case(s), 4 passed, 0 failed"));
    // One rule file: its own cases, and only its coverage.
    fitscan()
        .args(["rules", "test", &single])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 case(s), 2 passed, 0 failed"));
    // A pack named alone: with the tests beside it.
    fitscan()
        .args(["rules", "test", &pack])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 case(s), 2 passed, 0 failed"));
    // Examples come from the rule's own tests; the rule as written leaves them out.
    let shown = fitscan()
        .args(["rules", "show", "ACME010", "--rules", &folder])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains(&format!("fires: a 2012 VM fires ({single}:13)")),
        "{shown}"
    );
    assert!(
        shown.contains("finding: fixtures/w2012.yaml:4: a runs Windows Server 2012"),
        "{shown}"
    );
    assert!(!shown.contains("  tests:"), "{shown}");

    // A wrong expectation fails with the rule's file and the difference.
    write(
        dir.path(),
        "mix/ACME010-windows-2012.yaml",
        &SINGLE_RULE.replace("expect: { at: [4] }", "expect: { at: [3] }"),
    );
    fitscan()
        .args(["rules", "test", &folder])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "FAIL {single}: a 2012 VM fires (line 13)\n     ACME010: expected fires at 3, got fires 1 time(s) at fixtures/w2012.yaml:4"
        )));
    // An outcome keyed by rule id is the pack's syntax, not a single rule's.
    write(
        dir.path(),
        "mix/ACME010-windows-2012.yaml",
        &SINGLE_RULE.replace("expect: pass", "expect: { ACME010: pass }"),
    );
    fitscan()
        .args(["rules", "test", &folder])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{single}:24:5: ")))
        .stderr(predicate::str::contains(
            "(in a rule file, `expect` is the outcome of its rule)",
        ));
    write(dir.path(), "mix/ACME010-windows-2012.yaml", SINGLE_RULE);

    // Ids are unique across files, whatever their form.
    let dup = write(
        dir.path(),
        "mix/ACME011-again.yaml",
        &SINGLE_RULE.replace("id: ACME010", "id: ACME011"),
    );
    fitscan()
        .args(["rules", "list", "--rules", &folder])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{pack}:2:5: rule ACME011: duplicate id `ACME011`: a rule id here, already a rule id at {dup}:2"
        )));
}

#[test]
fn a_workshop_rule_folder_works_end_to_end() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "acme/r.yaml",
        "rules:\n  - id: ACME002\n    target: vm\n    level: optimised\n    severity: error\n    title: Windows 2012 is a rehost blocker\n    message: \"{name} runs {value}\"\n    remediation: Upgrade.\n    at: spec.os\n    when: {path: spec.os, matches: '2012'}\n",
    );
    let rules = dir.path().join("acme").display().to_string();
    fitscan()
        .args(["rules", "list", "--rules", &rules])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ACME002"))
        .stdout(predicate::str::contains("VM001"));
    fitscan()
        .args(["rules", "show", "ACME002", "--rules", &rules])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Windows 2012 is a rehost blocker"));
    let r = json_of(&[
        "scan",
        "samples/vms/estate.yaml",
        "--rules",
        &rules,
        "--no-default-rules",
        "--format",
        "json",
    ]);
    let hits: Vec<String> = r["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            format!(
                "{}:{}",
                f["rule"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        hits,
        vec!["ACME002:file-share-legacy runs Windows Server 2012 R2".to_string()]
    );
}
