//! Rule authoring as a workshop meets it: its own rules folder listed, shown, tested and
//! used in a scan; the built-in rules' tests and examples from the installed binary alone;
//! `rules docs` and `rules facts`; stable ids (aliases) and stable fingerprints.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::tempdir;
use common::{fitscan, write};

fn stdout_of(args: &[&str]) -> String {
    let out = fitscan()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(args: &[&str]) -> Value {
    let out = stdout_of(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// (rule, file, line, message) of every finding.
fn findings(report: &Value) -> Vec<(String, String, u64, String)> {
    report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The workshop's rules folder (examples/rules), end to end.

#[test]
fn the_example_rules_list_beside_the_defaults() {
    let out = stdout_of(&["rules", "list", "--rules", "examples/rules"]);
    for id in [
        "ACME001", "ACME002", "ACME003", "ACME004", "VM001", "K8S001",
    ] {
        assert!(out.contains(id), "{id} missing:\n{out}");
    }
    assert!(out.contains("examples/rules/acme.yaml:13"), "{out}");
}

#[test]
fn the_example_rules_fire_in_a_scan_at_the_offending_lines() {
    let report = json_of(&[
        "scan",
        "examples/rules/fixtures",
        "--rules",
        "examples/rules",
        "--no-config",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let mut acme: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("ACME"))
        .map(|(r, f, l, _)| (r, f, l))
        .collect();
    acme.sort();
    let at = |r: &str, f: &str, l: u64| (r.to_string(), format!("examples/rules/fixtures/{f}"), l);
    assert_eq!(
        acme,
        vec![
            at("ACME001", "vms.yaml", 7),
            at("ACME001", "vms.yaml", 12),
            at("ACME002", "k8s/shop.yaml", 16),
            at("ACME002", "k8s/shop.yaml", 21),
            at("ACME003", "images/legacy/Dockerfile", 2),
            at("ACME004", "k8s/shop.yaml", 9),
        ]
    );
    let messages: Vec<String> = findings(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("ACME"))
        .map(|f| f.3)
        .collect();
    assert!(messages.contains(
        &"container cache of shop-prod/cart pulls docker.io/library/redis:7.2 from outside ACME's registry"
            .to_string()
    ));
    // The checkout Deployment leaves its count to an autoscaler with minReplicas 3.
    assert!(!messages.iter().any(|m| m.starts_with("shop-prod/checkout")));
}

#[test]
fn the_example_rules_pass_their_tests() {
    fitscan()
        .args(["rules", "test", "examples/rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("8 case(s), 8 passed, 0 failed"));
}

#[test]
fn the_example_rules_show_with_examples_from_their_tests() {
    fitscan()
        .args(["rules", "show", "acme001", "--rules", "examples/rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "as written (examples/rules/acme.yaml:13):\n  id: ACME001\n",
        ))
        .stdout(predicate::str::contains(
            "fires: Windows Server 2012 and 2012 R2 VMs are blocked, 2022 is not (examples/rules/acme.test.yaml:4)",
        ))
        .stdout(predicate::str::contains(
            ">  7 |       os: Microsoft Windows Server 2012 R2 (64-bit)",
        ))
        .stdout(predicate::str::contains(
            "finding: fixtures/vms.yaml:12: file-02 runs Windows Server 2012:",
        ))
        .stdout(predicate::str::contains(
            "passes: supported Windows and Linux VMs pass (examples/rules/acme.test.yaml:9)",
        ));
}

// ---------------------------------------------------------------------------------------
// The built-in rules, from the binary alone.

#[test]
fn the_built_in_rule_tests_run_without_a_path() {
    // From a folder without the repository's rules: the tests and fixtures are embedded.
    let dir = tempdir();
    let mut cmd = Command::cargo_bin("fitscan").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(dir.path())
        .args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "PASS rules/vm/VM001-oversized-cpu.yaml: the seed telco server is unchanged on every count (line 32)",
        ))
        .stdout(predicate::str::contains("PASS rules/vnf/VNF001-no-day0-configuration.yaml"))
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn a_built_in_rule_shows_its_yaml_and_examples_anywhere() {
    let dir = tempdir();
    let mut cmd = Command::cargo_bin("fitscan").unwrap_or_else(|e| panic!("{e}"));
    let out = cmd
        .current_dir(dir.path())
        .args(["rules", "show", "VM001"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for expected in [
        "source:      rules/vm/VM001-oversized-cpu.yaml:1 (built in)",
        "as written (rules/vm/VM001-oversized-cpu.yaml:1):\n  id: VM001\n",
        "  when: { path: facts.rightsizing.oversized.vcpu, equals: true }",
        "fires: the seed telco server is unchanged on every count (rules/vm/VM001-oversized-cpu.yaml:32)",
        "  >  9 |   cpu: { sockets: 2, coresPerSocket: 4 }",
        "  finding: fixtures/seed.yaml:9: cdr-collector-01 has 8 vCPU but its demand is 4 vCPU",
        "passes: a right-sized, externally configured, scaled-out VM passes every check (rules/vm/VM001-oversized-cpu.yaml:37)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // A VNF rule's example fires in a file the package imports, read from the embedded copy.
    let vnf = stdout_of(&["rules", "show", "VNF004"]);
    assert!(
        vnf.contains("  fixtures/appliance/Definitions/appliance_df.yaml\n"),
        "{vnf}"
    );
}

#[test]
fn rules_show_reads_a_template_with_literal_braces_as_a_reader_would() {
    let text = stdout_of(&["rules", "show", "CMP007"]);
    assert!(
        text.contains("how to fix:\n  Use a Compose secret: declare `secrets: { db_password: { file: ./db_password.txt } }`"),
        "{text}"
    );
    assert!(
        text.contains("many images accept `{value}_FILE`"),
        "placeholders stay placeholders: {text}"
    );
    assert!(
        text.contains("`secrets: {{ db_password: {{ file: ./db_password.txt }}"),
        "the YAML as written keeps its escapes: {text}"
    );
}

// ---------------------------------------------------------------------------------------
// rules docs and rules facts

#[test]
fn rules_docs_writes_a_page_per_rule_and_removes_stale_ones() {
    let dir = tempdir();
    let out = dir.path().join("site");
    let out_s = out.display().to_string();
    fitscan()
        .args([
            "rules",
            "docs",
            &out_s,
            "--rules",
            "examples/rules",
            "--no-default-rules",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("wrote 4 rule page(s)"));
    let page = std::fs::read_to_string(out.join("ACME004.md")).unwrap_or_default();
    for expected in [
        "# ACME004: Production workload with fewer than 3 replicas",
        "| target | `kubernetes` |",
        "## Why it matters for the purpose-built phase",
        "## Condition",
        "when: { path: facts.min_replicas, lt: 3 }",
        "### Fires: the lifted cart pulls public images and runs 2 replicas in production",
        ">  9 |   replicas: 2",
        "fixtures/k8s/shop.yaml:9: shop-prod/cart runs in production with as few as 2 replica(s)",
        "### Passes: checkout uses ACME's images and scales from 3 replicas",
        "<https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/>",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in:\n{page}");
    }
    let index = std::fs::read_to_string(out.join("README.md")).unwrap_or_default();
    assert!(index.contains("| [ACME001](ACME001.md) |"), "{index}");
    assert!(index.contains("## Rule ids"), "{index}");
    // A page of a rule that is gone is removed; a file of the user's is kept.
    std::fs::write(
        out.join("ACME099.md"),
        format!("{}\n\nold", fitscan::authoring::docs::GENERATED),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("notes.md"), "mine").unwrap_or_else(|e| panic!("{e}"));
    fitscan()
        .args([
            "rules",
            "docs",
            &out_s,
            "--rules",
            "examples/rules",
            "--no-default-rules",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("removed 1 stale page(s)"));
    assert!(!out.join("ACME099.md").exists());
    assert!(out.join("notes.md").exists());
    // A README.md of someone else's is never overwritten.
    let project = dir.path().join("project");
    write(&project, "README.md", "# My project\n");
    fitscan()
        .args([
            "rules",
            "docs",
            &project.display().to_string(),
            "--rules",
            "examples/rules",
            "--no-default-rules",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "README.md: exists and was not written by `fitscan rules docs`",
        ));
    assert_eq!(
        std::fs::read_to_string(project.join("README.md")).unwrap_or_default(),
        "# My project\n"
    );
}

#[test]
fn rules_facts_lists_what_each_target_can_read() {
    let table = stdout_of(&["rules", "facts", "--target", "vm"]);
    assert!(table.contains("facts.vcpu"), "{table}");
    assert!(table.contains("facts.kubevirt"), "{table}");
    assert!(!table.contains("facts.containers"), "{table}");
    let json = json_of(&[
        "rules",
        "facts",
        "--format",
        "json",
        "--target",
        "kubernetes",
    ]);
    let paths: Vec<&str> = json
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["facts"].as_array().into_iter().flatten())
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.contains(&"facts.min_replicas"), "{paths:?}");
    assert!(paths.contains(&"facts.containers[*]"), "{paths:?}");
    fitscan()
        .args(["rules", "facts", "--format", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format `yaml`"));
}

#[test]
fn a_rule_reading_a_fact_no_input_provides_is_refused() {
    let dir = tempdir();
    let rules = write(
        dir.path(),
        "acme/r.yaml",
        "rules:\n  - id: ACME010\n    target: kubernetes\n    level: optimised\n    title: t\n    message: m\n    remediation: r\n    when: { path: facts.min_replica, lt: 3 }\n",
    );
    fitscan()
        .args(["scan", "samples/kubernetes", "--no-config", "--rules", &rules])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "r.yaml:8:13: rule ACME010: `facts.min_replica` is not a fact of kubernetes workloads (did you mean `facts.min_replicas`?)",
        ))
        // Said once: not repeated as its own cause.
        .stderr(predicate::function(|e: &str| e.lines().count() == 1));
}

// ---------------------------------------------------------------------------------------
// Stable ids: a renamed rule keeps its former id as an alias.

const OLD_RULE: &str = "rules:\n  - id: ACME-OLD\n    target: vm\n    level: optimised\n    severity: error\n    title: Windows 2012\n    message: \"{name} runs {value}\"\n    remediation: Upgrade.\n    at: spec.os\n    when: {path: spec.os, matches: '2012'}\n";
const NEW_RULE: &str = "rules:\n  - id: ACME020\n    aliases: [ACME-OLD]\n    target: vm\n    level: optimised\n    severity: error\n    title: Windows 2012\n    message: \"{name} runs {value}\"\n    remediation: Upgrade.\n    at: spec.os\n    when: {path: spec.os, matches: '2012'}\n";
const VMS: &str = "apiVersion: fitscan/v1\nkind: VirtualMachineList\nitems:\n  - metadata: {name: a}\n    spec: {os: Windows Server 2012}\n  - metadata: {name: b}\n    spec: {os: Windows Server 2012 R2, ignore: [\"ACME-OLD: decommissioned in Q3\"]}\n  - metadata: {name: c}\n    spec: {os: Windows Server 2022}\n";

#[test]
fn a_renamed_rule_keeps_suppressions_baselines_show_and_tests_working() {
    let dir = tempdir();
    let vms = write(dir.path(), "vms.yaml", VMS);
    let rules = write(dir.path(), "acme/r.yaml", OLD_RULE);
    let baseline = dir.path().join("baseline.json").display().to_string();
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            vms.as_str(),
            "--no-config",
            "--no-default-rules",
            "--rules",
            rules.as_str(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        json_of(&args)
    };
    // Under its old id: a fires, b's suppression names the old id.
    let before = scan(&[]);
    assert_eq!(findings(&before).len(), 1);
    assert_eq!(before["summary"]["suppressed"], 1);
    scan(&["--write-baseline", &baseline]);
    let recorded = std::fs::read_to_string(&baseline).unwrap_or_default();
    assert!(recorded.contains("\"rule\": \"ACME-OLD\""), "{recorded}");

    // Renamed: the suppression written with the old id still applies, the baseline
    // recorded under the old id still holds the finding, and nothing is "new".
    write(dir.path(), "acme/r.yaml", NEW_RULE);
    let plain = scan(&[]);
    assert_eq!(
        findings(&plain)
            .iter()
            .map(|f| f.0.as_str())
            .collect::<Vec<_>>(),
        vec!["ACME020"]
    );
    assert_eq!(plain["summary"]["suppressed"], 1);
    assert_eq!(plain["summary"]["unused_suppressions"], 0);
    let after = scan(&["--baseline", &baseline]);
    assert!(findings(&after).is_empty(), "{after}");
    assert_eq!(after["summary"]["baselined"], 1);

    // Switched off by the config, a suppression naming its old id says so.
    let config = write(dir.path(), "fitscan.yaml", "ignore: [ACME020]\n");
    let off = json_of(&[
        "scan",
        vms.as_str(),
        "--config",
        &config,
        "--no-default-rules",
        "--rules",
        rules.as_str(),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let unused: Vec<&str> = off["unused_suppressions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["message"].as_str())
        .collect();
    assert_eq!(
        unused,
        vec![
            "unused suppression of ACME-OLD: ACME-OLD is switched off by the config (`select` / `ignore`)"
        ]
    );

    // A per-path ignore in the config written with the old id applies too.
    let config = write(
        dir.path(),
        "fitscan.yaml",
        "per-path-ignores:\n  - path: [vms.yaml]\n    rules: [ACME-OLD]\n    reason: legacy wave\n",
    );
    let ignored = json_of(&[
        "scan",
        vms.as_str(),
        "--config",
        &config,
        "--no-default-rules",
        "--rules",
        rules.as_str(),
        "--format",
        "json",
    ]);
    assert!(findings(&ignored).is_empty(), "{ignored}");
    assert_eq!(ignored["summary"]["suppressed"], 2);

    // `rules show` finds it by its old id.
    fitscan()
        .args(["rules", "show", "acme-old", "--rules", &rules])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ACME020 (windows-2012): Windows 2012",
        ))
        .stdout(predicate::str::contains("aliases:     ACME-OLD"));

    // A test may expect it by its old id; coverage counts it for the rule.
    write(
        dir.path(),
        "acme/r.test.yaml",
        "cases:\n  - name: fires\n    inline:\n      - name: a.yaml\n        content: |\n          apiVersion: fitscan/v1\n          kind: VirtualMachine\n          metadata: {name: a}\n          spec: {os: Windows Server 2012}\n    expect:\n      ACME-OLD: { at: [4] }\n  - name: passes\n    inline:\n      - name: b.yaml\n        content: |\n          apiVersion: fitscan/v1\n          kind: VirtualMachine\n          metadata: {name: b}\n          spec: {os: Windows Server 2022}\n    expect:\n      ACME020: pass\n",
    );
    let folder = dir.path().join("acme").display().to_string();
    fitscan()
        .args(["rules", "test", &folder])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 case(s), 2 passed, 0 failed"));
}

// ---------------------------------------------------------------------------------------
// Fingerprints: stable when lines move and when utilisation changes.

fn sized_vm(p95: &str, blank_lines: usize) -> String {
    format!(
        "{}apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {{ name: app-01 }}\nspec:\n  platform: vsphere\n  os: RHEL 8.9\n  cpu: {{ sockets: 2, coresPerSocket: 8 }}\n  memory: 128GB\n  disks: [ {{ size: 2TB }} ]\n  utilisation: {{ periodDays: 30, samples: 8640, cpu: {{ p95: {p95} }}, memory: {{ p95: 20GB }}, storage: {{ used: 200GB }} }}\n",
        "\n".repeat(blank_lines)
    )
}

#[test]
fn sizing_findings_keep_their_fingerprint_when_utilisation_or_lines_change() {
    let dir = tempdir();
    let file = write(dir.path(), "app.yaml", &sized_vm("10%", 0));
    let baseline = dir.path().join("baseline.json").display().to_string();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", file.as_str(), "--no-config", "--format", "json"];
        args.extend_from_slice(extra);
        json_of(&args)
    };
    let prints = |r: &Value| -> Vec<(String, String)> {
        r["workloads"][0]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    f["fingerprint"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let before = scan(&[]);
    scan(&["--write-baseline", &baseline]);
    let before_prints = prints(&before);
    for rule in ["VM001", "VM002", "VM003"] {
        assert!(
            before_prints.iter().any(|(r, _)| r == rule),
            "{rule} should fire: {before_prints:?}"
        );
    }
    // Busier CPU (another recommendation, another reclaimable figure in the message) and
    // the document three lines further down: the same findings.
    write(dir.path(), "app.yaml", &sized_vm("30%", 3));
    let after = scan(&[]);
    let messages = |r: &Value| -> Vec<String> {
        findings(r)
            .into_iter()
            .filter(|f| f.0 == "VM001")
            .map(|f| f.3)
            .collect()
    };
    assert_ne!(
        messages(&before),
        messages(&after),
        "the figures did change"
    );
    assert_eq!(before_prints, prints(&after));
    let against = scan(&["--baseline", &baseline]);
    assert!(findings(&against).is_empty(), "{against}");
    assert_eq!(against["summary"]["baselined"], before_prints.len());
    // Another VM in the same file with the same problem is a finding of its own.
    let two = format!(
        "{}---\n{}",
        sized_vm("10%", 0),
        sized_vm("10%", 0).replace("app-01", "app-02")
    );
    write(dir.path(), "app.yaml", &two);
    let against = scan(&["--baseline", &baseline]);
    let new: Vec<String> = findings(&against)
        .into_iter()
        .map(|f| f.3)
        .filter(|m| m.starts_with("app-02"))
        .collect();
    assert_eq!(new.len(), before_prints.len(), "{against}");
}
