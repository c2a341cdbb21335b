//! The estate summary counts end-of-life systems by the rules' `end-of-life` tag, not by
//! VM012's id: a workshop's own lifecycle rule counts, VM012 switched off does not, and a
//! rule without the tag does not either, whatever it finds.

mod common;

use common::{fitscan, json, tempdir, write};

const VMS: &str = "\
apiVersion: fitscan/v1
kind: VirtualMachineList
items:
  - metadata: { name: old-rhel }
    spec: { platform: vsphere, os: Red Hat Enterprise Linux 6 (64-bit), cpu: 2, memory: 4GB }
  - metadata: { name: mainframe-lpar }
    spec: { platform: vsphere, os: Acme OS 3.1, cpu: 2, memory: 4GB }
  - metadata: { name: current }
    spec: { platform: vsphere, os: Red Hat Enterprise Linux 9 (64-bit), cpu: 2, memory: 4GB }
";

/// A custom rule that finds `Acme OS 3`, tagged as given.
fn acme_rule(tags: &str) -> String {
    format!(
        "id: ACME901
name: acme-os-3-unsupported
target: vm
level: optimised
severity: error
weight: 1
effort: 1
disposition: replatform
tags: [{tags}]
title: Acme OS 3 is out of support
needs: [facts.os]
at: spec.os
when: {{ path: facts.os, matches: '(?i)acme os 3' }}
message: \"{{name}} runs {{value}}\"
remediation: Upgrade it.
rationale: Acme OS 3 left support.
"
    )
}

/// The estate's end-of-life count and the lifecycle findings, with the custom rule tagged
/// `tags` and the configuration `config`.
fn end_of_life_count(tags: &str, config: &str) -> (serde_json::Value, Vec<String>) {
    let dir = tempdir();
    let vms = write(dir.path(), "vms.yaml", VMS);
    let rules = dir.path().join("rules");
    write(&rules, "ACME901-acme-os.yaml", &acme_rule(tags));
    let config = write(dir.path(), "fitscan.yaml", config);
    let out = fitscan()
        .args([
            "scan",
            "--config",
            &config,
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .arg("--rules")
        .arg(&rules)
        .arg(&vms)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&String::from_utf8_lossy(&out.stdout));
    let rules_found: Vec<String> = r["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["rule"].as_str())
        .filter(|id| *id == "VM012" || *id == "ACME901")
        .map(str::to_string)
        .collect();
    (r["summary"]["end_of_life_os"].clone(), rules_found)
}

#[test]
fn a_custom_rule_tagged_end_of_life_is_counted_beside_vm012() {
    let (count, found) = end_of_life_count("lifecycle, end-of-life", "{}\n");
    assert_eq!(found, ["VM012", "ACME901"]);
    assert_eq!(count, 2);
}

#[test]
fn with_vm012_switched_off_only_the_custom_rule_counts() {
    let (count, found) = end_of_life_count("end-of-life", "ignore: [VM012]\n");
    assert_eq!(found, ["ACME901"]);
    assert_eq!(count, 1);
}

#[test]
fn a_rule_without_the_tag_is_not_counted_whatever_it_finds() {
    let (count, found) = end_of_life_count("lifecycle", "{}\n");
    assert_eq!(found, ["VM012", "ACME901"]);
    assert_eq!(count, 1);
}
