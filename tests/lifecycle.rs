//! The lifecycle table through the command line: `--as-of` on both sides of an end date,
//! for a VM's operating system, a Dockerfile's base image and a VNF software image; the
//! day a report was judged for, in its assumptions; a user's own table.

use serde_json::Value;

mod common;
use common::{fitscan, json, tempdir, write};

/// The JSON report of `fitscan scan PATH --as-of DAY` (plus `extra`).
fn scan(path: &str, day: &str, extra: &[&str]) -> Value {
    let out = fitscan()
        .args(["scan", path, "--format", "json", "--fail-on", "never"])
        .args(["--as-of", day])
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&String::from_utf8_lossy(&out.stdout))
}

/// The messages of `rule`'s findings, over every workload.
fn messages(report: &Value, rule: &str) -> Vec<String> {
    common::findings_of(report)
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect()
}

const WINDOWS_2012: &str = "apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: app01 }
spec: { os: Microsoft Windows Server 2012 R2 (64-bit), cpu: 4, memory: 16GB }
";

#[test]
fn an_operating_system_on_both_sides_of_its_end_dates() {
    let dir = tempdir();
    let vm = write(dir.path(), "vm.yaml", WINDOWS_2012);

    // Six months before: a warning to plan for, no end-of-life finding.
    let report = scan(&vm, "2023-07-01", &[]);
    assert_eq!(report["assumptions"]["as_of"], "2023-07-01");
    assert!(messages(&report, "VM012").is_empty());
    assert_eq!(
        messages(&report, "VM022"),
        [
            "app01 runs Microsoft Windows Server 2012 R2 (64-bit): Windows Server 2012 R2: support ends 2023-10-10, within 6 months; Extended Security Updates available until 2026-10-13 (free on Azure)"
        ]
    );
    assert_eq!(report["summary"]["end_of_life_os"], 0);

    // The day after: in the paid extended support, free on Azure; said so, not "end of life".
    let report = scan(&vm, "2023-10-11", &[]);
    assert_eq!(
        messages(&report, "VM012"),
        [
            "app01 runs Microsoft Windows Server 2012 R2 (64-bit): Windows Server 2012 R2: end of support 2023-10-10; only paid Extended Security Updates until 2026-10-13 (free on Azure)"
        ]
    );
    assert!(messages(&report, "VM022").is_empty());
    assert_eq!(report["summary"]["end_of_life_os"], 1);

    // Once the extended support has ended too.
    let report = scan(&vm, "2026-10-14", &[]);
    assert_eq!(
        messages(&report, "VM012"),
        [
            "app01 runs Microsoft Windows Server 2012 R2 (64-bit): Windows Server 2012 R2: end of life since 2023-10-10; Extended Security Updates ended 2026-10-13"
        ]
    );
}

#[test]
fn a_base_image_on_both_sides_of_its_end_date() {
    let dir = tempdir();
    write(
        dir.path(),
        "app/Dockerfile",
        "FROM centos:7\nRUN yum install -y httpd\nCMD [\"httpd\", \"-DFOREGROUND\"]\n",
    );
    let path = dir.path().display().to_string();
    let before = scan(&path, "2024-06-30", &[]);
    assert!(messages(&before, "DF026").is_empty());
    let after = scan(&path, "2024-07-01", &[]);
    let found = common::findings_of(&after);
    let df026: Vec<&Value> = found.iter().filter(|f| f["rule"] == "DF026").collect();
    assert_eq!(df026.len(), 1, "{found:?}");
    assert_eq!(df026[0]["line"], 1);
    assert!(
        df026[0]["message"]
            .as_str()
            .unwrap_or("")
            .ends_with("is built on centos:7: CentOS Linux 7: end of life since 2024-06-30"),
        "{}",
        df026[0]["message"]
    );
    // The finding is the same finding whatever the day (a baseline keeps matching it).
    let later = scan(&path, "2026-12-07", &[]);
    let again: Vec<Value> = common::findings_of(&later)
        .into_iter()
        .filter(|f| f["rule"] == "DF026")
        .collect();
    assert_eq!(again[0]["fingerprint"], df026[0]["fingerprint"]);
}

#[test]
fn a_vnf_software_image_on_both_sides_of_its_end_date() {
    let vnfd = "rules/vnf/fixtures/readiness/appliance_monolith_vnfd.yaml";
    assert!(messages(&scan(vnfd, "2024-06-30", &[]), "VNF022").is_empty());
    assert_eq!(
        messages(&scan(vnfd, "2024-07-01", &[]), "VNF022"),
        [
            "software image `charging-appliance-9.1` of charging/appliance runs CentOS Linux 7: end of life since 2024-06-30"
        ]
    );
}

#[test]
fn a_users_table_in_a_rules_folder_replaces_a_product() {
    let dir = tempdir();
    let vm = write(
        dir.path(),
        "vm.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: db01 }\nspec: { os: CentOS 7 (64-bit) }\n",
    );
    write(
        dir.path(),
        "rules/lifecycle/contract.yaml",
        "products:
  - product: CentOS Linux
    source: our TuxCare contract, ticket OPS-12
    checked: 2026-01-15
    os: ['(?i)\\bcentos\\s*(?:linux\\s*)?(?P<version>\\d+)']
    extended_support: TuxCare Endless Lifecycle Support
    versions:
      - { version: '7', end_of_support: 2024-06-30, end_of_extended_support: 2030-06-30 }
",
    );
    let rules = dir.path().join("rules").display().to_string();
    let report = scan(&vm, "2026-12-07", &["--rules", &rules]);
    assert_eq!(
        messages(&report, "VM012"),
        [
            "db01 runs CentOS 7 (64-bit): CentOS Linux 7: end of support 2024-06-30; only paid TuxCare Endless Lifecycle Support until 2030-06-30"
        ]
    );
}

#[test]
fn a_bad_day_or_table_is_a_usage_error() {
    let out = fitscan()
        .args(["scan", "samples/vms", "--as-of", "2024-02-30"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`2024-02-30` is not a date (YYYY-MM-DD)"),
        "{err}"
    );

    let dir = tempdir();
    write(
        dir.path(),
        "rules/lifecycle/bad.yaml",
        "products:\n  - product: X\n    source: s\n    checked: 2024-01-01\n    os: ['x']\n    versions: []\n",
    );
    let rules = dir.path().join("rules").display().to_string();
    let out = fitscan()
        .args(["scan", "samples/vms", "--rules", &rules])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.yaml:5: `x` has no `(?P<version>...)` group"),
        "{err}"
    );
}
