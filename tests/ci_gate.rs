//! fitscan as a CI gate, the way a pipeline meets it: exit codes and the one-line reasons,
//! every gate, every suppression form (used and unused), the config file, baselines,
//! several outputs per run, SARIF that validates, JUnit that parses, and output that does
//! not depend on the number of threads.

mod common;
use common::{json, tempdir};

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use quick_xml::events::Event;
use serde_json::Value;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// fitscan run in `dir` (which has no config file above it unless a test writes one).
fn fitscan_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("fitscan").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.current_dir(dir);
    cmd
}

fn fitscan() -> Command {
    fitscan_in(Path::new(REPO))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = fitscan_in(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write: {e}"));
    p
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Passes every default rule.
const GOOD_VM: &str = "\
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

/// One error finding: VM012 (end-of-life OS) at line 6.
fn eol_vm(name: &str) -> String {
    GOOD_VM
        .replace("name: portal", &format!("name: {name}"))
        .replace("Ubuntu 24.04", "CentOS 6.10")
}

/// An end-of-life VM whose configuration is baked into it: one error finding (VM012, which
/// is advice) and `unchanged` (VM006: not configured from outside).
fn lifted_vm(name: &str) -> String {
    eol_vm(name).replace("config: service", "config: baked")
}

fn findings(report: &Value) -> Vec<String> {
    common::findings_of(report)
        .iter()
        .map(common::rule_at)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Exit codes and gates

#[test]
fn exit_0_when_every_gate_passes() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", GOOD_VM);
    let r = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--fail-on",
            "info",
            "--min-phase",
            "purpose-built",
            "--max-findings",
            "0",
        ],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
}

#[test]
fn fail_on_fails_at_or_above_its_severity_and_names_the_first_finding() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", &eol_vm("old"));
    let r = run(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    assert!(
        r.stderr.contains(
            "gate failed: 1 finding(s) at or above severity error (first: VM012 at vm.yaml:6) (--fail-on error)"
        ),
        "{}",
        r.stderr
    );
    // the same error passes a gate that never fails on findings
    assert_eq!(
        run(dir.path(), &["scan", ".", "--fail-on", "never"]).code,
        0
    );
}

#[test]
fn fail_on_counts_file_errors_as_errors() {
    let dir = tempdir();
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: x\n",
    );
    let r = run(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("including 1 file error(s) (first: parse-error at broken.yaml:"),
        "{}",
        r.stderr
    );
}

#[test]
fn max_findings_counts_every_severity() {
    let dir = tempdir();
    write(dir.path(), "a.yaml", &eol_vm("a"));
    write(dir.path(), "b.yaml", &eol_vm("b"));
    let gate = |n: &str| {
        run(
            dir.path(),
            &["scan", ".", "--fail-on", "never", "--max-findings", n],
        )
    };
    assert_eq!(gate("2").code, 0);
    let r = gate("1");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "gate failed: 2 finding(s) reported, more than the 1 allowed (--max-findings 1)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn min_phase_fails_below_the_phase() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", &lifted_vm("old"));
    let r = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--fail-on",
            "never",
            "--min-phase",
            "optimized",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("1 workload(s) below phase optimised (e.g. old is unchanged)"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_failed_gate_is_one_line() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", &lifted_vm("old"));
    let r = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--min-phase",
            "purpose-built",
            "--max-findings",
            "0",
        ],
    );
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("fitscan: gate failed: "))
    );
}

#[test]
fn exit_2_for_configuration_and_usage_errors() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", GOOD_VM);
    let cases: &[(&[&str], &str)] = &[
        (
            &["scan", ".", "--format", "json", "--format", "table"],
            "at most one format may go to standard output",
        ),
        (&["scan", ".", "--format", "xml"], "unknown format `xml`"),
        (
            &["scan", ".", "--format", "sarif=a", "--format", "junit=a"],
            "more than one format",
        ),
        (
            &["scan", ".", "--config", "missing.yaml"],
            "missing.yaml: no such config file",
        ),
        (
            &["scan", ".", "--baseline", "none.json"],
            "none.json: no such baseline",
        ),
        (
            &["scan", ".", "--fail-on", "sometimes"],
            "expected error, warning, info or never",
        ),
        (&["scan", ".", "--max-findings", "lots"], "--max-findings"),
    ];
    for (args, expected) in cases {
        let r = run(dir.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
    }
}

// ---------------------------------------------------------------------------------------
// The config file

#[test]
fn the_config_file_is_found_walking_up_and_the_command_line_wins() {
    let dir = tempdir();
    write(
        dir.path(),
        ".fitscan.yaml",
        "fail-on: never\nmin-phase: optimised\n",
    );
    let sub = dir.path().join("estate/vms");
    write(&sub, "vm.yaml", &lifted_vm("old"));
    // found from a folder below it: fail-on never, but min-phase optimised fails
    let r = run(&sub, &["scan", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("below phase optimised"), "{}", r.stderr);
    assert!(!r.stderr.contains("--fail-on"), "{}", r.stderr);
    // the command line overrides the file
    let r = run(&sub, &["scan", ".", "--min-phase", "unchanged"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &sub,
        &[
            "scan",
            ".",
            "--fail-on",
            "error",
            "--min-phase",
            "unchanged",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // --no-config ignores it: the default gate (fail on errors) applies
    let r = run(&sub, &["scan", ".", "--no-config"]);
    assert!(r.stderr.contains("--fail-on error"), "{}", r.stderr);
    // the report says which config it used
    let r = run(&sub, &["scan", ".", "--format", "json"]);
    assert_eq!(
        json(&r.stdout)["assumptions"]["config"]
            .as_str()
            .map(|p| p.ends_with(".fitscan.yaml")),
        Some(true)
    );
}

#[test]
fn unknown_keys_in_the_config_are_errors_naming_file_and_line() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", GOOD_VM);
    write(
        dir.path(),
        ".fitscan.yaml",
        "fail-on: error\nmax_findings: 3\n",
    );
    let r = run(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 2);
    // Said once: not repeated as its own cause.
    assert_eq!(
        r.stderr,
        "fitscan: .fitscan.yaml:2:1: unknown key `max_findings` (did you mean `max-findings`?) \
         (see `fitscan config schema`)\n"
    );
    let other = write(dir.path(), "ci/fitscan.yaml", "select: [VMX]\n");
    let r = run(
        dir.path(),
        &["scan", ".", "--config", &other.display().to_string()],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("fitscan.yaml:1: `select`: `VMX` matches no loaded rule"),
        "{}",
        r.stderr
    );
}

#[test]
fn config_selects_ignores_and_reweights_rules() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", &eol_vm("old"));
    let report = |config: &str| {
        write(dir.path(), ".fitscan.yaml", config);
        let r = run(dir.path(), &["scan", ".", "--format", "json"]);
        (r.code, json(&r.stdout))
    };
    let (code, r) = report("ignore: [VM012]\n");
    assert_eq!((code, findings(&r).len()), (0, 0));
    let (code, r) = report("select: [VM00]\n");
    assert_eq!((code, findings(&r).len()), (0, 0), "VM012 is not selected");
    assert_eq!(r["assumptions"]["rules"], 9);
    let (code, r) = report("severity: { VM01: info, VM012: warning }\n");
    assert_eq!(
        code, 0,
        "the exact id wins over the prefix: warning passes --fail-on error"
    );
    assert_eq!(r["workloads"][0]["findings"][0]["severity"], "warning");
    let (code, _) = report("severity: { VM012: warning }\nfail-on: warning\n");
    assert_eq!(code, 1);
}

#[test]
fn config_defaults_the_outputs_relative_to_its_folder() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", GOOD_VM);
    write(
        dir.path(),
        ".fitscan.yaml",
        "format: [table, sarif=reports/fitscan.sarif]\n",
    );
    std::fs::create_dir_all(dir.path().join("reports")).unwrap_or_else(|e| panic!("{e}"));
    let sub = dir.path().join("sub");
    std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
    let r = run(&sub, &["scan", ".."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("portal"), "the table on standard output");
    let sarif = json(&read(&dir.path().join("reports/fitscan.sarif")));
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn config_schema_is_json_schema_and_accepts_a_real_config() {
    let out = fitscan()
        .args(["config", "schema"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let schema = json(&String::from_utf8_lossy(&out.stdout));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let config = "\
format: [table, sarif=fitscan.sarif, junit=fitscan.xml]
fail-on: warning
min-phase: optimised
max-findings: 40
select: [VM, K8S]
ignore: VM014
severity: { VM003: info }
per-path-ignores:
  - path: [legacy/**, '*.ovf']
    rules: [VM005]
    reason: vendor appliances
no-inline-ignores: true
rules: policies/
baseline: .fitscan-baseline.json
metrics: metrics.csv
catalog: sizes.yaml
headroom: 20%
percentile: 90
";
    let doc = fitscan::yaml::parse_documents(config).unwrap_or_default();
    let instance = doc.first().map(|d| d.to_json()).unwrap_or_default();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let bad = serde_json::json!({ "fail-on": "sometimes", "colour": true });
    assert!(!validator.is_valid(&bad));
}

// ---------------------------------------------------------------------------------------
// Suppressions

const SUPPRESSED_VM: &str = "\
apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: old }
spec:
  platform: openstack
  os: CentOS 6.10
  ignore:
    - \"VM012: extended support contract, OPS-7\"
    - VM005
    - VM0O1
  cpu: { vcpus: 2 }
  memory: 4GB
  disks: [ { size: 32GB } ]
  utilisation: { periodDays: 30, samples: 8640, cpu: { p95: 72% }, memory: { p95: 2.9GB }, storage: { used: 21GB } }
  app: { config: service, state: external, backup: crash-consistent, ha: scale-out, scaling: auto, encryption: everywhere, monitoring: application }
";

#[test]
fn vm_ignore_lists_suppress_with_reasons_and_unused_entries_are_reported() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", SUPPRESSED_VM);
    let r = run(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 0, "the error is suppressed: {}", r.stderr);
    let report = json(&r.stdout);
    assert_eq!(findings(&report), Vec::<String>::new());
    assert_eq!(report["summary"]["suppressed"], 1);
    let s = &report["workloads"][0]["suppressed"][0];
    assert_eq!(s["rule"], "VM012");
    assert_eq!(s["line"], 6);
    assert_eq!(s["reason"], "extended support contract, OPS-7");
    assert_eq!(s["by"]["origin"], "inline");
    assert_eq!(s["by"]["line"], 8);
    // VM005 found nothing; VM0O1 is a typo
    let unused = report["unused_suppressions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let seen: Vec<(String, u64)> = unused
        .iter()
        .map(|u| {
            (
                u["suppressed_rule"].as_str().unwrap_or("").to_string(),
                u["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(seen, vec![("VM005".into(), 9), ("VM0O1".into(), 10)]);
    assert!(
        unused
            .iter()
            .all(|u| u["rule"] == "unused-suppression" && u["severity"] == "info")
    );
    assert!(
        unused[1]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a rule fitscan knows")),
        "{unused:?}"
    );
    assert_eq!(report["summary"]["unused_suppressions"], 2);
    assert_eq!(report["summary"]["findings"]["info"], 2);
    // an unused suppression is an info finding: a strict gate fails on it
    let r = run(dir.path(), &["scan", ".", "--fail-on", "info"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("(first: unused-suppression at vm.yaml:9)"),
        "{}",
        r.stderr
    );
    // the table shows the reason and the unused entries
    let r = run(dir.path(), &["scan", "."]);
    assert!(
        r.stdout.contains(
            "vm.yaml:6: VM012 suppressed by inline vm.yaml:8: extended support contract, OPS-7"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("vm.yaml:9: unused-suppression info: unused suppression of VM005")
    );
    assert!(
        r.stdout
            .contains("1 suppressed; 0 file error(s); 2 unused suppression(s)")
    );
}

#[test]
fn no_inline_ignores_makes_the_central_policy_the_only_one() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", SUPPRESSED_VM);
    let r = run(
        dir.path(),
        &["scan", ".", "--no-inline-ignores", "--format", "json"],
    );
    assert_eq!(r.code, 1, "the suppressed error counts again");
    let report = json(&r.stdout);
    assert_eq!(findings(&report), vec!["VM012 vm.yaml:6".to_string()]);
    assert_eq!(report["summary"]["suppressed"], 0);
    assert_eq!(report["summary"]["disregarded_suppressions"], 3);
    assert_eq!(
        report["unused_suppressions"].as_array().map(Vec::len),
        Some(0),
        "disregarded suppressions are not unused ones"
    );
    // the same from the config file
    write(dir.path(), ".fitscan.yaml", "no-inline-ignores: true\n");
    let r = run(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("3 inline suppression(s) disregarded (--no-inline-ignores)")
    );
}

#[test]
fn config_per_path_ignores_suppress_and_report_unused_entries() {
    let dir = tempdir();
    write(dir.path(), "legacy/a.yaml", &eol_vm("a"));
    write(dir.path(), "legacy/deep/b.yaml", &eol_vm("b"));
    write(dir.path(), "current/c.yaml", &eol_vm("c"));
    write(
        dir.path(),
        ".fitscan.yaml",
        "\
per-path-ignores:
  - path: legacy/
    rules:
      - VM012
      - VM005
    reason: decommissioned in Q3
  - path: archive/**
    rules: [VM012]
",
    );
    let r = run(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "current/c.yaml is not covered");
    assert!(
        r.stderr.contains("(first: VM012 at current/c.yaml:6)"),
        "{}",
        r.stderr
    );
    let report = json(&r.stdout);
    assert_eq!(
        findings(&report),
        vec!["VM012 current/c.yaml:6".to_string()]
    );
    assert_eq!(report["summary"]["suppressed"], 2);
    let s = &report["workloads"][1]["suppressed"][0];
    assert_eq!(report["workloads"][1]["name"], "a");
    assert_eq!(s["by"]["origin"], "config");
    assert_eq!(s["by"]["file"], ".fitscan.yaml");
    assert_eq!(s["by"]["line"], 4);
    assert_eq!(s["reason"], "decommissioned in Q3");
    let unused: Vec<String> = report["unused_suppressions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            format!(
                "{}:{} {}",
                u["file"].as_str().unwrap_or(""),
                u["line"],
                u["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        unused,
        vec![
            ".fitscan.yaml:5 unused per-path ignore of VM005: VM005 found nothing in the files under `legacy/`".to_string(),
            ".fitscan.yaml:8 unused per-path ignore of VM012: no scanned file matches `archive/**`".to_string(),
        ]
    );
}

/// Scans `target` in `dir` with `config` as its `.fitscan.yaml`: `rule file:line` of the
/// findings the config suppressed and of the findings kept, the messages of the unused
/// suppressions, and standard error.
fn with_path_ignores(
    dir: &Path,
    config: &str,
    target: &str,
) -> (Vec<String>, Vec<String>, Vec<String>, String) {
    write(dir, ".fitscan.yaml", config);
    let r = run(
        dir,
        &["scan", target, "--format", "json", "--fail-on", "never"],
    );
    let report = json(&r.stdout);
    let of = |key: &str| -> Vec<String> {
        let mut out: Vec<String> = report["workloads"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|w| w[key].as_array().cloned().unwrap_or_default())
            .filter(|f| f["by"]["origin"].as_str().is_none_or(|o| o == "config"))
            .map(|f| common::rule_at(&f))
            .collect();
        out.sort();
        out
    };
    let unused = report["unused_suppressions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| u["message"].as_str().unwrap_or("").to_string())
        .collect();
    (of("suppressed"), of("findings"), unused, r.stderr)
}

#[test]
fn a_per_path_ignore_matches_the_file_a_compose_finding_is_in() {
    let dir = tempdir();
    common::copy_folder(
        &Path::new(REPO).join("tests/fixtures/compose/shop"),
        &dir.path().join("shop"),
    );
    // `api` is declared in compose.yaml; one of its CMP012 findings is written in the
    // override, one in the file it extends.
    let (suppressed, kept, unused, stderr) = with_path_ignores(
        dir.path(),
        "per-path-ignores:\n  - path: compose.override.yaml\n    rules: [CMP012, CMP003]\n    reason: dev only\n",
        "shop",
    );
    assert_eq!(
        suppressed,
        vec![
            "CMP003 shop/compose.override.yaml:13",
            "CMP012 shop/compose.override.yaml:9",
        ],
        "{stderr}"
    );
    assert!(
        kept.contains(&"CMP012 shop/common.yml:6".to_string()),
        "{kept:?}"
    );
    assert!(unused.is_empty(), "{unused:?}");

    // A pattern naming the file a workload is declared in accepts all of the workload,
    // including what it inherits from a file the pattern does not name.
    let (suppressed, kept, _, _) = with_path_ignores(
        dir.path(),
        "per-path-ignores:\n  - path: /shop/compose.yaml\n    rules: [CMP012]\n",
        "shop",
    );
    assert_eq!(
        suppressed,
        vec![
            "CMP012 shop/common.yml:6",
            "CMP012 shop/common.yml:6",
            "CMP012 shop/compose.override.yaml:9",
        ]
    );
    assert!(!kept.iter().any(|k| k.starts_with("CMP012")), "{kept:?}");
}

#[test]
fn a_per_path_ignore_matches_a_vnf_packages_imported_file() {
    let dir = tempdir();
    common::copy_folder(
        &Path::new(REPO).join("rules/vnf/fixtures/appliance"),
        &dir.path().join("vendor/sbc"),
    );
    // The workload is reported at appliance_top.yaml; VNF018 is found in the imported
    // deployment flavour; the types file is imported too but holds no finding.
    let (suppressed, kept, unused, stderr) = with_path_ignores(
        dir.path(),
        "\
per-path-ignores:
  - path: vendor/**/appliance_df.yaml
    rules: [VNF018]
  - path: appliance_types.yaml
    rules: [VNF004]
",
        ".",
    );
    assert_eq!(
        suppressed,
        vec![
            "VNF018 vendor/sbc/Definitions/appliance_df.yaml:41",
            "VNF018 vendor/sbc/Definitions/appliance_df.yaml:52",
        ],
        "{stderr}"
    );
    assert!(
        kept.contains(&"VNF004 vendor/sbc/Definitions/appliance_df.yaml:29".to_string()),
        "{kept:?}"
    );
    assert_eq!(
        unused,
        vec![
            "unused per-path ignore of VNF004: VNF004 found nothing in the files under \
             `appliance_types.yaml`"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Baselines

#[test]
fn baseline_round_trip_gates_only_on_new_findings() {
    let dir = tempdir();
    let estate = std::fs::read_to_string(Path::new(REPO).join("samples/vms/estate.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "vms/estate.yaml", &estate);
    // today: findings of every severity, so the strictest gate fails
    assert_eq!(run(dir.path(), &["scan", ".", "--fail-on", "info"]).code, 1);

    let w = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--fail-on",
            "info",
            "--write-baseline",
            "fitscan-baseline.json",
        ],
    );
    assert_eq!(
        w.code, 0,
        "writing a baseline accepts today's findings: {}",
        w.stderr
    );
    let baseline = json(&read(&dir.path().join("fitscan-baseline.json")));
    assert_eq!(baseline["fitscan_baseline"], 1);
    let recorded = baseline["findings"].as_array().map_or(0, Vec::len);
    assert!(recorded >= 5, "{baseline}");
    assert!(
        baseline["findings"][0]["file"] == "vms/estate.yaml",
        "paths relative to the baseline: {baseline}"
    );

    // rescan: nothing new
    let r = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--fail-on",
            "info",
            "--baseline",
            "fitscan-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = json(&r.stdout);
    assert_eq!(report["summary"]["baselined"], recorded);
    assert_eq!(findings(&report), Vec::<String>::new());

    // moving every line down does not resurrect anything
    write(
        dir.path(),
        "vms/estate.yaml",
        &format!("# a new header\n\n{estate}"),
    );
    let r = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--fail-on",
            "info",
            "--baseline",
            "fitscan-baseline.json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // nor does running from another folder
    let r = run(
        &dir.path().join("vms"),
        &[
            "scan",
            "estate.yaml",
            "--fail-on",
            "info",
            "--baseline",
            "../fitscan-baseline.json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // a new finding fails the gate, and only it is reported
    write(dir.path(), "vms/new.yaml", &eol_vm("newcomer"));
    let r = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--fail-on",
            "info",
            "--baseline",
            "fitscan-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "gate failed: 1 finding(s) at or above severity info (first: VM012 at vms/new.yaml:6)"
        ),
        "{}",
        r.stderr
    );
    let report = json(&r.stdout);
    assert_eq!(findings(&report), vec!["VM012 vms/new.yaml:6".to_string()]);
    assert_eq!(report["summary"]["findings"]["error"], 1);
    assert_eq!(report["summary"]["findings"]["warning"], 0);
    assert_eq!(report["assumptions"]["baseline"], "fitscan-baseline.json");

    // SARIF marks what it reports as new
    let r = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--baseline",
            "fitscan-baseline.json",
            "--format",
            "sarif",
        ],
    );
    let sarif = json(&r.stdout);
    let results = sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["baselineState"], "new");
}

#[test]
fn a_baseline_absorbs_each_finding_once() {
    let dir = tempdir();
    write(dir.path(), "a.yaml", &eol_vm("twin"));
    assert_eq!(
        run(dir.path(), &["scan", ".", "--write-baseline", "b.json"]).code,
        0
    );
    // the same problem twice in the file: one is baselined, the copy is new
    write(
        dir.path(),
        "a.yaml",
        &format!("{}---\n{}", eol_vm("twin"), eol_vm("twin")),
    );
    let r = run(dir.path(), &["scan", ".", "--baseline", "b.json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn file_errors_are_never_baselined() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", &eol_vm("old"));
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: [\n",
    );
    let r = run(dir.path(), &["scan", ".", "--write-baseline", "b.json"]);
    assert_eq!(r.code, 1, "a broken file still fails the gate");
    assert!(
        r.stderr
            .contains("1 finding(s) at or above severity error, including 1 file error(s)"),
        "{}",
        r.stderr
    );
    let baseline = json(&read(&dir.path().join("b.json")));
    assert_eq!(baseline["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(baseline["findings"][0]["rule"], "VM012");
}

#[test]
fn a_broken_baseline_is_a_configuration_error() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", GOOD_VM);
    write(
        dir.path(),
        "b.json",
        "{\"fitscan_baseline\": 1, \"findings\": [}\n",
    );
    let r = run(dir.path(), &["scan", ".", "--baseline", "b.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("b.json:1:"), "{}", r.stderr);
    assert!(r.stderr.contains("not a fitscan baseline"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------
// Several outputs, SARIF, JUnit

#[test]
fn several_outputs_in_one_run() {
    let dir = tempdir();
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let json_out = dir.path().join("out.json");
    let spec = |f: &str, p: &Path| format!("{f}={}", p.display());
    fitscan()
        .args([
            "scan",
            "samples/",
            "--format",
            &spec("sarif", &sarif),
            "--format",
            &spec("junit", &junit),
            "--format",
            "table",
            "--format",
            &spec("json", &json_out),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("cdr-collector-01"))
        .stdout(predicate::str::contains("schema_version").not());
    assert_eq!(json(&read(&sarif))["version"], "2.1.0");
    assert!(read(&junit).starts_with("<?xml"));
    assert_eq!(json(&read(&json_out))["schema_version"], 1);
    // --output takes the place of standard output for the format without a path
    let table = dir.path().join("table.txt");
    fitscan()
        .args([
            "scan",
            "samples/",
            "--format",
            &spec("sarif", &sarif),
            "--format",
            "table",
            "--output",
            &table.display().to_string(),
        ])
        .assert()
        .code(1)
        .stdout("");
    assert!(read(&table).contains("cdr-collector-01"));
}

fn sarif_of(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "sarif"]);
    json(&run(dir, &all).stdout)
}

/// The structure code scanning needs, checked without the schema file.
fn check_sarif_structure(sarif: &Value) {
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif"))
    );
    let runs = sarif["runs"].as_array().cloned().unwrap_or_default();
    assert_eq!(runs.len(), 1, "one run");
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "fitscan");
    let rules = driver["rules"].as_array().cloned().unwrap_or_default();
    for r in &rules {
        for key in ["id", "name"] {
            assert!(r[key].is_string(), "rule.{key}: {r}");
        }
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "rule.{key}: {r}"
            );
        }
        assert!(r["help"]["markdown"].is_string());
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap_or(""))
        );
        assert!(
            r["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://"))
        );
    }
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for builtin in ["parse-error", "input-error", "unused-suppression"] {
        assert!(ids.contains(&builtin), "{builtin}");
    }
    for r in runs[0]["results"].as_array().into_iter().flatten() {
        let id = r["ruleId"].as_str().unwrap_or("");
        let index = r["ruleIndex"].as_u64().map(|i| i as usize);
        assert_eq!(
            index.and_then(|i| ids.get(i).copied()),
            Some(id),
            "ruleIndex of {r}"
        );
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")));
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap_or("");
        assert!(!uri.is_empty() && !uri.contains('\\'), "{uri}");
        if !uri.starts_with("file://") {
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(!uri.starts_with('/'), "{uri}");
        }
        if let Some(line) = loc["region"]["startLine"].as_u64() {
            assert!(line >= 1);
        }
        if id != "input-error" {
            assert!(loc["region"]["startLine"].as_u64().is_some(), "{r}");
        }
        assert!(r["partialFingerprints"][fitscan::report::sarif::FINGERPRINT_KEY].is_string());
        if !id.contains('-') {
            for key in ["workload", "kind", "phase"] {
                assert!(r["properties"][key].is_string(), "{key}: {r}");
            }
        }
    }
}

/// A scan that produces every kind of SARIF result: findings, suppressed findings, unused
/// suppressions and file errors.
fn everything(dir: &Path) -> Value {
    write(dir, "vms/suppressed.yaml", SUPPRESSED_VM);
    write(dir, "vms/old vm.yaml", &eol_vm("old"));
    write(
        dir,
        "vms/broken.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: [\n",
    );
    write(
        dir,
        ".fitscan.yaml",
        "per-path-ignores:\n  - path: nowhere/\n    rules: [VM001]\n    reason: \"<&\\\"'>\"\n",
    );
    sarif_of(dir, &["."])
}

/// SOL004 archives: findings located inside them (`vendor/sbc.csar!/Definitions/...`) and
/// errors naming an archive and an entry.
fn csar_packages(dir: &Path) -> Value {
    let appliance = Path::new(REPO).join("rules/vnf/fixtures/appliance");
    let csar = common::csar::zip_folder(&appliance);
    std::fs::create_dir_all(dir.join("vendor")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    std::fs::write(dir.join("vendor/sbc.csar"), &csar).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("vendor/broken.csar"), &csar[..csar.len() / 2])
        .unwrap_or_else(|e| panic!("{e}"));
    let sarif = sarif_of(dir, &["."]);
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter_map(|r| {
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str()
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        uris.contains(&"vendor/sbc.csar%21/Definitions/appliance_df.yaml")
            && uris.contains(&"vendor/broken.csar"),
        "{uris:?}"
    );
    sarif
}

#[test]
fn sarif_has_the_structure_code_scanning_needs() {
    let sarif = sarif_of(Path::new(REPO), &["samples/vms"]);
    check_sarif_structure(&sarif);
    let results = sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(results.len() >= 10);
    let first = &results[0];
    assert_eq!(
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "samples/vms/estate.yaml"
    );
    let rule_count = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .map_or(0, Vec::len);
    let listed = run(Path::new(REPO), &["rules", "list", "--format", "json"]);
    assert_eq!(
        rule_count,
        json(&listed.stdout).as_array().map_or(0, Vec::len)
            + fitscan::report::sarif::BUILTIN_RULES.len()
    );

    let dir = tempdir();
    let sarif = everything(dir.path());
    check_sarif_structure(&sarif);
    let results = sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let by_rule = |id: &str| {
        results
            .iter()
            .filter(|r| r["ruleId"] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    let parse = by_rule("parse-error");
    assert_eq!(parse.len(), 1);
    assert_eq!(parse[0]["level"], "error");
    assert_eq!(by_rule("unused-suppression").len(), 3);
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "extended support contract, OPS-7"
    );
    let spaced = by_rule("VM012");
    assert!(spaced.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "vms/old%20vm.yaml"
    ));
}

#[test]
fn sarif_of_samples_validates_against_the_oasis_schema() {
    let dir = tempdir();
    let archives = tempdir();
    let runs = [
        ("samples/", sarif_of(Path::new(REPO), &["samples/"])),
        ("every kind of result", everything(dir.path())),
        (
            "VNF packages as CSAR archives",
            csar_packages(archives.path()),
        ),
    ];
    for (_, sarif) in &runs {
        check_sarif_structure(sarif);
    }
    // The schema is kept in the repository (tests/schemas/README.md says where it comes
    // from): a check that needs nothing outside the checkout cannot be skipped.
    let schema_path = Path::new(REPO).join("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&schema_path)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    let schema = json(&text);
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema: {e}"));
    for (name, sarif) in &runs {
        let errors: Vec<String> = validator
            .iter_errors(sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

/// (suites, testcases, failures, errors) counted from the elements, after checking each
/// `<testsuite>`'s own counts agree with its children.
fn junit_counts(xml: &str) -> (usize, usize, usize, usize) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut suites, mut cases, mut failures, mut errors) = (0, 0, 0, 0);
    let mut suite_claims: Vec<(usize, usize, usize)> = Vec::new();
    let mut suite_actual: Vec<(usize, usize, usize)> = Vec::new();
    let attr = |e: &quick_xml::events::BytesStart, name: &str| -> usize {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(usize::MAX)
    };
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                "testsuite" => {
                    suites += 1;
                    suite_claims.push((
                        attr(&e, "tests"),
                        attr(&e, "failures"),
                        attr(&e, "errors"),
                    ));
                    suite_actual.push((0, 0, 0));
                }
                "testcase" => {
                    cases += 1;
                    if let Some(s) = suite_actual.last_mut() {
                        s.0 += 1;
                    }
                }
                "failure" => {
                    failures += 1;
                    if let Some(s) = suite_actual.last_mut() {
                        s.1 += 1;
                    }
                }
                "error" => {
                    errors += 1;
                    if let Some(s) = suite_actual.last_mut() {
                        s.2 += 1;
                    }
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed XML at {}: {e}\n{xml}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(
        suite_claims, suite_actual,
        "each testsuite's counts match its children"
    );
    (suites, cases, failures, errors)
}

#[test]
fn junit_is_well_formed_with_the_expected_counts() {
    let r = run(
        Path::new(REPO),
        &["scan", "samples/vms", "--format", "junit"],
    );
    assert!(
        r.stdout
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    // 3 files, 9 workloads; 2 of them have an error finding (VM012)
    assert_eq!(junit_counts(&r.stdout), (3, 9, 2, 0));
    assert!(
        r.stdout
            .contains("<testsuites name=\"fitscan\" tests=\"9\" failures=\"2\" errors=\"0\"")
    );
    assert!(r.stdout.contains("classname=\"vm\""));
    // the threshold follows --fail-on and --min-phase, as the gate does
    let r = run(
        Path::new(REPO),
        &[
            "scan",
            "samples/vms",
            "--format",
            "junit",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(junit_counts(&r.stdout), (3, 9, 8, 0));
    let r = run(
        Path::new(REPO),
        &[
            "scan",
            "samples/vms",
            "--format",
            "junit",
            "--fail-on",
            "never",
            "--min-phase",
            "purpose-built",
        ],
    );
    assert_eq!(junit_counts(&r.stdout), (3, 9, 8, 0));

    // file errors are <error>s, unused config entries have their own case; hostile text
    // stays well-formed
    let dir = tempdir();
    write(
        dir.path(),
        "vms/ok.yaml",
        &GOOD_VM.replace("name: portal", "name: \"a<b>&'\\\"\\u0001\""),
    );
    write(
        dir.path(),
        "vms/broken.yaml",
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: [\n",
    );
    write(
        dir.path(),
        ".fitscan.yaml",
        "per-path-ignores:\n  - path: nowhere/\n    rules: [VM001]\n",
    );
    let r = run(
        dir.path(),
        &["scan", ".", "--format", "junit", "--fail-on", "info"],
    );
    assert_eq!(junit_counts(&r.stdout), (3, 3, 1, 1), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("name=\"a&lt;b&gt;&amp;&apos;&quot;\u{FFFD}\""),
        "{}",
        r.stdout
    );
}

#[test]
fn output_is_identical_whatever_the_number_of_threads() {
    let dir = tempdir();
    everything(dir.path());
    for i in 0..12 {
        write(
            dir.path(),
            &format!("more/vm-{i:02}.yaml"),
            &eol_vm(&format!("vm-{i}")),
        );
    }
    for format in ["json", "sarif", "junit", "table"] {
        let one = run(
            dir.path(),
            &["scan", ".", "--format", format, "--jobs", "1"],
        );
        let four = run(
            dir.path(),
            &["scan", ".", "--format", format, "--jobs", "4"],
        );
        assert!(!one.stdout.is_empty());
        assert_eq!(one.stdout, four.stdout, "{format}");
        assert_eq!(one.code, four.code);
    }
}

#[test]
fn pre_commit_hook_is_declared() {
    let hooks = read(&Path::new(REPO).join(".pre-commit-hooks.yaml"));
    let docs = fitscan::yaml::parse_documents(&hooks).unwrap_or_default();
    let hook = docs
        .first()
        .and_then(|d| d.as_seq())
        .and_then(|s| s.first())
        .cloned();
    let hook = hook.unwrap_or_else(|| panic!("a list of hooks"));
    assert_eq!(hook.get("id").and_then(|n| n.as_str()), Some("fitscan"));
    assert!(
        hook.get("entry")
            .and_then(|n| n.as_str())
            .is_some_and(|e| e.starts_with("fitscan scan"))
    );
}

// ---------------------------------------------------------------------------------------
// Not assessed: no gating check applied

/// A workload no gating check judged is `not-assessed` in every format, never
/// purpose-built, counted in the summary, and fails `--min-phase`.
#[test]
fn a_workload_nothing_judged_is_not_assessed_everywhere_and_fails_min_phase() {
    let dir = tempdir();
    write(dir.path(), "vm.yaml", GOOD_VM);
    // Three ways to leave a workload with no gating check: the default rules left out, a
    // selection that keeps no rule of its kind, a per-path ignore of all of them.
    write(dir.path(), "select/.fitscan.yaml", "select: [DF]\n");
    write(dir.path(), "select/vm.yaml", GOOD_VM);
    write(
        dir.path(),
        "ignored/.fitscan.yaml",
        "per-path-ignores:\n  - path: vm.yaml\n    rules: [all]\n    reason: assessed elsewhere\n",
    );
    write(dir.path(), "ignored/vm.yaml", GOOD_VM);
    let cases: [(&Path, Vec<&str>); 3] = [
        (dir.path(), vec!["--no-default-rules"]),
        (&dir.path().join("select"), vec![]),
        (&dir.path().join("ignored"), vec![]),
    ];
    for (folder, extra) in &cases {
        let mut args = vec!["scan", "vm.yaml", "--format", "json"];
        args.extend(extra.iter().copied());
        let r = run(folder, &args);
        let report = json(&r.stdout);
        let w = &report["workloads"][0];
        assert_eq!(w["phase"], "not-assessed", "{folder:?} {extra:?}: {w}");
        assert_eq!(w["confidence"], 0.0);
        assert!(
            w["properties"]
                .as_object()
                .is_some_and(|p| p.values().all(|v| v == "n/a"))
        );
        assert_eq!(report["summary"]["by_phase"]["not-assessed"], 1);
        assert_eq!(report["summary"]["by_phase"]["purpose-built"], 0);

        let mut gate = vec!["scan", "vm.yaml", "--min-phase", "optimised"];
        gate.extend(extra.iter().copied());
        let r = run(folder, &gate);
        assert_eq!(r.code, 1, "{folder:?} {extra:?}: {}", r.stderr);
        assert!(r.stderr.contains("not-assessed"), "{}", r.stderr);
    }
    // Every format says so.
    for format in [
        "table",
        "markdown",
        "html",
        "csv-workloads",
        "junit",
        "sarif",
    ] {
        let r = run(
            dir.path(),
            &["scan", "vm.yaml", "--no-default-rules", "--format", format],
        );
        let said = r.stdout.contains("not-assessed") || r.stdout.contains("not assessed");
        assert!(said, "{format}: {}", r.stdout);
    }
}
