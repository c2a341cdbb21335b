//! Migration readiness (issue 20): the sample RVTools export (`samples/migration-readiness/`:
//! vInfo and vDisk, each blocker column) judged per target, in both header styles and as a
//! workbook, with the reasons in every report.

use std::path::Path;

use serde_json::Value;

mod common;
use common::{fitscan, write};

const SAMPLE: &str = "samples/migration-readiness";

fn scan(args: &[&str]) -> Value {
    let out = fitscan()
        .args(["scan", "--format", "json", "--fail-on", "never"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// Each VM's verdict and the checks behind it.
fn verdicts(report: &Value) -> Vec<(String, String, Vec<String>)> {
    assert_eq!(
        report["errors"],
        Value::Array(vec![]),
        "{}",
        report["errors"]
    );
    report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| {
            let r = &w["readiness"];
            let checks = r["blockers"]
                .as_array()?
                .iter()
                .filter_map(|b| b["check"].as_str().map(str::to_string))
                .collect();
            Some((
                w["name"].as_str()?.to_string(),
                r["verdict"].as_str()?.to_string(),
                checks,
            ))
        })
        .collect()
}

fn of<'a>(v: &'a [(String, String, Vec<String>)], name: &str) -> (&'a str, Vec<&'a str>) {
    let (_, verdict, checks) = v
        .iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {v:?}"));
    (verdict, checks.iter().map(String::as_str).collect())
}

fn assert_azure(v: &[(String, String, Vec<String>)]) {
    assert_eq!(of(v, "web01"), ("ready", vec![]));
    assert_eq!(of(v, "app-efi-01"), ("ready", vec![]));
    assert_eq!(
        of(v, "ora-rac-01"),
        ("not-ready", vec!["shared-disks", "independent-disks"])
    );
    assert_eq!(of(v, "filer-01"), ("not-ready", vec!["data-disk-size"]));
    assert_eq!(of(v, "bigboot-01"), ("not-ready", vec!["os-disk-size"]));
    assert_eq!(
        of(v, "sql-clu-01"),
        (
            "conditionally-ready",
            vec!["raw-device-mappings", "independent-disks"]
        )
    );
    assert_eq!(
        of(v, "trader-01"),
        ("conditionally-ready", vec!["latency-sensitivity"])
    );
    assert_eq!(
        of(v, "ft-db-01"),
        ("conditionally-ready", vec!["fault-tolerance"])
    );
    assert_eq!(
        of(v, "scratch-01"),
        ("conditionally-ready", vec!["independent-disks"])
    );
    assert_eq!(of(v, "fax-gw-01"), ("not-ready", vec!["os-architecture"]));
}

#[test]
fn each_target_judges_the_sample_with_its_own_limits() {
    let azure = scan(&[SAMPLE, "--target", "azure"]);
    assert_azure(&verdicts(&azure));
    let filer = azure["workloads"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["name"] == "filer-01"))
        .map(|w| w["readiness"]["blockers"][0].clone())
        .unwrap_or_default();
    assert_eq!(filer["found"], "largest_disk_gib = 40960 (at most 32768)");
    assert!(filer["why"].as_str().unwrap_or_default().contains("32 TiB"));
    assert!(filer["fix"].as_str().is_some());
    let s = &azure["summary"]["readiness"];
    assert_eq!(s["target"], "azure");
    assert_eq!(s["vms"]["ready"], 2);
    assert_eq!(s["vms"]["conditionally-ready"], 5);
    assert_eq!(s["vms"]["not-ready"], 4);
    assert_eq!(s["checks"]["independent-disks"], 3);
    assert!(
        s["sources"][0]
            .as_str()
            .unwrap_or_default()
            .starts_with("https://")
    );

    // AWS: the agent copies raw mappings and independent disks; a 40 TiB disk needs io2.
    let v = verdicts(&scan(&[SAMPLE, "--target", "aws"]));
    assert_eq!(of(&v, "sql-clu-01"), ("ready", vec![]));
    assert_eq!(of(&v, "scratch-01"), ("ready", vec![]));
    assert_eq!(
        of(&v, "filer-01"),
        ("conditionally-ready", vec!["disk-size-general-purpose"])
    );
    assert_eq!(
        of(&v, "ora-rac-01"),
        ("conditionally-ready", vec!["shared-disks"])
    );

    // No target: the platform-neutral checks only; size limits are a target's.
    let v = verdicts(&scan(&[SAMPLE]));
    assert_eq!(of(&v, "filer-01"), ("ready", vec![]));
    assert_eq!(
        of(&v, "ora-rac-01"),
        (
            "conditionally-ready",
            vec!["shared-disks", "independent-disks"]
        )
    );
    assert_eq!(
        of(&v, "render-gpu-01"),
        ("conditionally-ready", vec!["passthrough-devices"])
    );
}

#[test]
fn unanswered_checks_are_listed_never_passed() {
    let report = scan(&[
        &format!("{SAMPLE}/RVTools_tabvInfo.csv"),
        "--target",
        "azure",
    ]);
    // Without the vDisk tab nothing is known of raw, shared or independent disks.
    let web = report["workloads"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["name"] == "ora-rac-01"))
        .map(|w| w["readiness"].clone())
        .unwrap_or_default();
    assert_eq!(web["verdict"], "ready");
    let not_checked = web["not_checked"].to_string();
    for check in ["shared-disks", "raw-device-mappings", "independent-disks"] {
        assert!(not_checked.contains(check), "{not_checked}");
    }
    assert_eq!(report["summary"]["readiness"]["incomplete"], 10);
}

#[test]
fn internal_header_names_read_the_same() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(
        d,
        "RVTools_tabvInfo.csv",
        "vInfoVMName,vInfoCPUs,vInfoMemory,vInfoOSTools,vInfoFirmware,vInfoLatencySensitivity,vInfoFTState,vInfoUUID\n\
         db1,4,16384,Red Hat Enterprise Linux 8 (64-bit),efi,high,running,4231-01\n",
    );
    write(
        d,
        "RVTools_tabvDisk.csv",
        "vDiskVMName,vDiskCapacityMiB,vDiskRaw,vDiskDiskMode,vDiskSharingMode,vDiskRawCompMode,vDiskUUID\n\
         db1,102400,False,persistent,sharingNone,,4231-01\n\
         db1,1048576,True,independent_persistent,sharingMultiWriter,physicalMode,4231-01\n",
    );
    let v = verdicts(&scan(&[&d.display().to_string(), "--target", "azure"]));
    assert_eq!(
        of(&v, "db1"),
        (
            "not-ready",
            vec![
                "shared-disks",
                "raw-device-mappings",
                "independent-disks",
                "fault-tolerance",
                "latency-sensitivity"
            ]
        )
    );
}

#[test]
fn the_same_export_as_a_workbook_gives_the_same_verdicts() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut wb = Workbook::new();
    for (sheet, file) in [
        ("vInfo", "RVTools_tabvInfo.csv"),
        ("vDisk", "RVTools_tabvDisk.csv"),
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
                // Numbers as numbers, as RVTools writes them.
                match cell.parse::<f64>() {
                    Ok(n) if r > 0 => ws.write_number(r as u32, c as u16, n),
                    _ => ws.write_string(r as u32, c as u16, cell),
                }
                .unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    let path = dir.path().join("RVTools_export.xlsx");
    wb.save(&path).unwrap_or_else(|e| panic!("save: {e}"));
    let v = verdicts(&scan(&[&path.display().to_string(), "--target", "azure"]));
    assert_azure(&v);
}

#[test]
fn the_target_comes_from_the_config_and_a_wrong_one_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = write(dir.path(), ".fitscan.yaml", "target: aws\n");
    let r = scan(&["--config", &config, SAMPLE]);
    assert_eq!(r["summary"]["readiness"]["target"], "aws");
    let out = fitscan()
        .args(["scan", SAMPLE, "--target", "azrue"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("azure"), "{err}");
    let bad = write(dir.path(), "bad.yaml", "target: azrue\n");
    let out = fitscan()
        .args(["scan", SAMPLE, "--config", &bad])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.yaml"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_report_carries_the_verdicts_and_the_reasons() {
    let out = |format: &str| {
        let o = fitscan()
            .args([
                "scan",
                SAMPLE,
                "--target",
                "azure",
                "--fail-on",
                "never",
                "--format",
                format,
            ])
            .output()
            .unwrap_or_else(|e| panic!("run: {e}"));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let table = out("table");
    assert!(
        table.contains("Migration readiness (azure): 2 ready, 5 conditionally-ready, 4 not-ready"),
        "{table}"
    );
    assert!(table.contains("not-ready: os-disk-size"), "{table}");
    let md = out("markdown");
    assert!(md.contains("### Migration readiness"), "{md}");
    assert!(
        md.contains(
            "| filer-01 | not-ready | data-disk-size (largest\\_disk\\_gib = 40960 (at most 32768))"
        ),
        "{md}"
    );
    let html = out("html");
    assert!(html.contains("<section id=\"migration-readiness\">"));
    assert!(html.contains("2 ready, 5 conditionally-ready, 4 not-ready"));
}
