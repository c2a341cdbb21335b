//! Budgets: work bounded by the input, values checked at the door, auxiliary files read
//! like inputs. Every case scans a folder that also holds a good VM spec and checks the
//! exact error (file, line, limit) and that the good VM was still assessed.
//!
//! The amplification cases run small here (well under a second each in a debug build);
//! `examples/gen_hostile.rs` writes them at full size for the measurements in docs/limits.md.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::amplify;
use fitscan::assessment::Report;
use fitscan::model::ScanError;
use fitscan::{ScanOptions, scan};
use tempfile::TempDir;

const GOOD_VM: &str = "\
apiVersion: fitscan/v1
kind: VirtualMachine
metadata: { name: good }
spec:
  platform: vsphere
  os: RHEL 9.4
  cpu: { vcpus: 2 }
  memory: 4GB
";

/// A folder holding the good VM spec and whatever a case adds.
struct Estate {
    dir: TempDir,
}

impl Estate {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let estate = Estate { dir };
        estate.write("good.yaml", GOOD_VM);
        estate
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        PathBuf::from(common::write(self.root(), name, text))
    }

    fn shown(&self, name: &str) -> String {
        self.root().join(name).display().to_string()
    }

    fn scan_with(&self, opts: ScanOptions) -> Result<Report, fitscan::Error> {
        scan(&[self.root().to_path_buf()], &opts)
    }

    fn scan(&self) -> Report {
        self.scan_with(ScanOptions::default())
            .unwrap_or_else(|e| panic!("scan: {e}"))
    }
}

/// The good VM was assessed and nothing reached the panic guard.
fn assert_sound(report: &Report) {
    for e in &report.errors {
        assert!(
            !e.message.contains("internal error"),
            "a panic was caught: {e}"
        );
    }
    assert!(
        report.workloads.iter().any(|w| w.name == "good"),
        "the good VM was not assessed: {:?}",
        report.errors
    );
}

fn errors_of<'a>(report: &'a Report, file: &str) -> Vec<&'a ScanError> {
    report.errors.iter().filter(|e| e.file == file).collect()
}

/// The errors of `file` as (line, message).
fn messages(report: &Report, file: &str) -> Vec<(Option<u32>, String)> {
    errors_of(report, file)
        .into_iter()
        .map(|e| (e.line, e.message.clone()))
        .collect()
}

fn workloads_of(report: &Report, file: &str) -> usize {
    report
        .workloads
        .iter()
        .filter(|w| w.file.as_ref() == file)
        .count()
}

/// Runs `f`, failing when it takes longer than `limit` (a debug build on a shared machine:
/// the limits are loose; the release figures are in docs/limits.md).
fn timed<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    assert!(took < limit, "took {took:?}, more than {limit:?}");
    out
}

// ---------------------------------------------------------------------------------------
// Work bounded by the input
// ---------------------------------------------------------------------------------------

#[test]
fn kubernetes_companions_sharing_a_selector_are_listed_up_to_the_limit() {
    let estate = Estate::new();
    amplify::kubernetes_companions(estate.root(), 40);
    let report = timed(Duration::from_secs(20), || estate.scan());
    assert_sound(&report);
    let file = estate.shown("k8s/bundle.yaml");
    assert_eq!(workloads_of(&report, &file), 40);
    assert_eq!(
        messages(&report, &file),
        vec![
            (
                Some(2),
                "workload `shop/web-0` and 39 more: up to 40 NetworkPolicies each, more than one workload lists (limit 16): the first 16 are joined, the rest left out of its facts".to_string()
            ),
            (
                Some(2),
                "workload `shop/web-0` and 39 more: up to 40 Services each, more than one workload lists (limit 16): the first 16 are joined, the rest left out of its facts".to_string()
            ),
        ]
    );
}

#[test]
fn compose_extends_copies_stop_at_the_budget() {
    let estate = Estate::new();
    amplify::compose_extends(estate.root(), 2_000, 200);
    let report = timed(Duration::from_secs(20), || estate.scan());
    assert_sound(&report);
    let file = estate.shown("compose/compose.yaml");
    let errors = messages(&report, &file);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (line, message) = &errors[0];
    let assessed = workloads_of(&report, &file);
    // The base and the services within the budget are assessed, the rest named once.
    assert!(assessed > 10 && assessed < 100, "{assessed} assessed");
    let refused = 201 - assessed;
    let first = 200 - refused;
    assert_eq!(
        message,
        &format!(
            "Compose service `s{first}`: extends and include copy more than 200000 values beyond those written in the project's files: not assessed (and {} more services)",
            refused - 1
        )
    );
    assert_eq!(*line, Some(2_005 + 2 * first as u32));
}

#[test]
fn sol006_flavours_without_vdu_profiles_stop_at_the_budget() {
    let estate = Estate::new();
    amplify::sol006_flavours(estate.root(), 300, 300);
    let report = timed(Duration::from_secs(20), || estate.scan());
    assert_sound(&report);
    let file = estate.shown("vnf/amp.yaml");
    let assessed = workloads_of(&report, &file);
    assert!(assessed > 5 && assessed < 100, "{assessed} assessed");
    let errors = messages(&report, &file);
    assert_eq!(
        errors,
        vec![(
            Some(308 + assessed as u32),
            format!(
                "VNFD `amp`: flavour `f{assessed}` and {} more not assessed: each flavour copies the VNFD (1207 values) and its VDUs (300, every one for a flavour without vdu-profile), and a file's flavours may copy at most 200000 values beyond its own",
                300 - assessed - 1
            )
        )]
    );
}

#[test]
fn merge_keys_of_many_keys_read_in_linear_time() {
    let estate = Estate::new();
    amplify::yaml_merge_keys(estate.root(), 20_000);
    let report = timed(Duration::from_secs(10), || estate.scan());
    assert_sound(&report);
    let file = estate.shown("merge.yaml");
    assert!(messages(&report, &file).is_empty(), "{:?}", report.errors);
    assert_eq!(workloads_of(&report, &file), 1);
}

#[test]
fn a_rule_file_of_thousands_of_rules_loads_in_linear_time() {
    let estate = Estate::new();
    let rules = amplify::rules_file(estate.root(), 2_000);
    let report = timed(Duration::from_secs(20), || {
        estate.scan_with(ScanOptions {
            rules: vec![rules.clone()],
            no_default_rules: true,
            ..ScanOptions::default()
        })
    })
    .unwrap_or_else(|e| panic!("scan: {e}"));
    assert_sound(&report);
    assert_eq!(report.assumptions.rules, 2_000);
}

#[test]
fn same_named_vms_without_uuids_are_not_joined_to_every_row() {
    let estate = Estate::new();
    amplify::rvtools_same_names(estate.root(), 50);
    let report = timed(Duration::from_secs(20), || estate.scan());
    assert_sound(&report);
    let info = estate.shown("rvtools/RVTools_tabvInfo.csv");
    assert_eq!(workloads_of(&report, &info), 50);
    assert_eq!(
        messages(&report, &info),
        vec![(
            Some(2),
            "50 VMs named `db01` (rows 2, 3, 4, ...) and no UUID to tell them apart: the other tabs' rows for `db01` are joined to none of them".to_string()
        )]
    );
    // Each keeps the one disk vInfo gives it, not the fifty disks of the vDisk tab.
    for w in report.workloads.iter().filter(|w| w.file.as_ref() == info) {
        let storage = w.rightsizing.as_ref().and_then(|r| r.current.storage_gib);
        assert_eq!(storage, None, "{}: {storage:?}", w.name);
    }
}

#[test]
fn vms_of_one_name_in_two_vcenters_each_get_their_own_rows() {
    let estate = Estate::new();
    estate.write(
        "rv/RVTools_tabvInfo.csv",
        "VM,CPUs,Memory,VI SDK Server\ndb01,2,4096,vc1.example.com\ndb01,4,8192,vc2.example.com\n",
    );
    estate.write(
        "rv/RVTools_tabvDisk.csv",
        "VM,Disk,Capacity MiB,VI SDK Server\ndb01,Hard disk 1,10240,vc1.example.com\ndb01,Hard disk 1,102400,vc2.example.com\n",
    );
    let report = estate.scan();
    assert_sound(&report);
    let info = estate.shown("rv/RVTools_tabvInfo.csv");
    assert!(messages(&report, &info).is_empty(), "{:?}", report.errors);
    let mut storage: Vec<(u32, Option<f64>)> = report
        .workloads
        .iter()
        .filter(|w| w.file.as_ref() == info)
        .map(|w| {
            (
                w.line,
                w.rightsizing.as_ref().and_then(|r| r.current.storage_gib),
            )
        })
        .collect();
    storage.sort_by_key(|(line, _)| *line);
    assert_eq!(storage, vec![(2, Some(10.0)), (3, Some(100.0))]);
}

#[test]
fn vms_of_one_name_in_one_vcenter_without_uuids_are_reported() {
    let estate = Estate::new();
    estate.write(
        "rv/RVTools_tabvInfo.csv",
        "VM,CPUs,Memory,VI SDK Server\ndb01,2,4096,vc1\ndb01,4,8192,vc1\napp01,2,4096,vc1\n",
    );
    estate.write(
        "rv/RVTools_tabvDisk.csv",
        "VM,Disk,Capacity MiB,VI SDK Server\ndb01,Hard disk 1,10240,vc1\ndb01,Hard disk 1,102400,vc1\napp01,Hard disk 1,20480,vc1\n",
    );
    let report = estate.scan();
    assert_sound(&report);
    let info = estate.shown("rv/RVTools_tabvInfo.csv");
    assert_eq!(
        messages(&report, &info),
        vec![(
            Some(2),
            "2 VMs named `db01` in vCenter `vc1` (rows 2, 3) and no UUID to tell them apart: the other tabs' rows for `db01` are joined to none of them".to_string()
        )]
    );
    let app = report.workloads.iter().find(|w| w.name == "app01");
    let storage = app.and_then(|w| w.rightsizing.as_ref()?.current.storage_gib);
    assert_eq!(storage, Some(20.0));
}

#[test]
fn a_workbook_with_a_cell_longer_than_a_cell_holds_is_refused_before_it_is_opened() {
    let estate = Estate::new();
    amplify::rvtools_big_cell(estate.root(), 300 * 1024);
    let report = timed(Duration::from_secs(20), || estate.scan());
    assert_sound(&report);
    let file = estate.shown("rvtools/RVTools_export_all.xlsx");
    assert_eq!(
        messages(&report, &file),
        vec![(
            None,
            "workbook refused: xl/worksheets/sheet1.xml holds more than 262136 bytes of text without markup, more than a spreadsheet cell holds (32767 characters)".to_string()
        )]
    );
}

#[test]
fn a_worksheet_row_with_a_cell_over_the_cell_limit_is_an_error() {
    let estate = Estate::new();
    amplify::rvtools_big_cell(estate.root(), 40_000);
    let report = estate.scan();
    assert_sound(&report);
    let file = estate.shown("rvtools/RVTools_export_all.xlsx");
    assert_eq!(
        messages(&report, &file),
        vec![(
            Some(2),
            "sheet vInfo: a cell of 40000 characters is longer than a spreadsheet cell holds (limit 32767): this row is skipped".to_string()
        )]
    );
    assert_eq!(workloads_of(&report, &file), 0);
}

#[test]
fn a_csv_row_with_a_cell_over_the_cell_limit_is_an_error_and_the_rest_is_read() {
    let estate = Estate::new();
    let long = "x".repeat(40_000);
    estate.write(
        "RVTools_tabvInfo.csv",
        &format!("VM,CPUs,Memory\n{long},2,4096\napp01,2,4096\n"),
    );
    let report = estate.scan();
    assert_sound(&report);
    let file = estate.shown("RVTools_tabvInfo.csv");
    assert_eq!(
        messages(&report, &file),
        vec![(
            Some(2),
            "a cell of 40000 characters is longer than a spreadsheet cell holds (limit 32767): this row is skipped".to_string()
        )]
    );
    assert_eq!(workloads_of(&report, &file), 1);
}

#[test]
fn long_messages_are_cut_in_the_report() {
    let estate = Estate::new();
    let name = "n".repeat(10_000);
    estate.write(
        "long.yaml",
        &format!(
            "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {{ name: {name} }}\nspec:\n  platform: vsphere\n  os: Windows Server 2008 R2\n  cpu: 64\n  memory: 512GB\n"
        ),
    );
    let report = estate.scan();
    assert_sound(&report);
    let file = estate.shown("long.yaml");
    let w = report.workloads.iter().find(|w| w.file.as_ref() == file);
    let findings = w.map(|w| w.findings.clone()).unwrap_or_default();
    let cut: Vec<_> = findings
        .iter()
        .filter(|f| f.message.contains(&name[..100]))
        .collect();
    assert!(!cut.is_empty(), "no finding quotes the name");
    for f in &cut {
        assert!(f.message.len() < 4_200, "{} bytes", f.message.len());
        assert!(
            f.message.ends_with("more bytes cut)"),
            "{}",
            &f.message[4_000..]
        );
    }
    assert_eq!(
        messages(&report, &file),
        vec![(
            None,
            format!(
                "{} finding message(s) or note(s) longer than 4096 bytes cut to that length (the limit of one text in a report)",
                cut.len()
            )
        )]
    );
}

// ---------------------------------------------------------------------------------------
// Values checked at the door
// ---------------------------------------------------------------------------------------

fn vm(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {{ name: {name} }}\nspec:\n  platform: vsphere\n  os: RHEL 9.4\n{spec}"
    )
}

#[test]
fn percentages_above_100_are_refused_with_the_allowed_range() {
    let estate = Estate::new();
    estate.write(
        "p95.yaml",
        &vm(
            "hot",
            "  cpu: 8\n  memory: 32GB\n  utilisation:\n    cpu: { p95: 250% }\n    memory: { p95: 180% }\n",
        ),
    );
    let report = estate.scan();
    assert_sound(&report);
    let file = estate.shown("p95.yaml");
    assert_eq!(
        messages(&report, &file),
        vec![
            (
                Some(10),
                "VM `hot`: utilisation.cpu: `250%` is not a percentage between 0 and 100 (allowed: 0-100%)".to_string()
            ),
            (
                Some(11),
                "VM `hot`: utilisation.memory: `180%` is not a percentage between 0 and 100 (allowed: 0-100%)".to_string()
            ),
        ]
    );
    // No demand was invented from it: no undersized finding.
    let w = report.workloads.iter().find(|w| w.name == "hot");
    assert!(
        w.is_some_and(|w| w.findings.iter().all(|f| !f.message.contains("undersized"))),
        "{w:?}"
    );
}

#[test]
fn topology_and_memory_beyond_a_machine_are_refused() {
    let estate = Estate::new();
    estate.write(
        "topology.yaml",
        &vm(
            "huge",
            "  cpu: { sockets: 1e6, coresPerSocket: 1e6 }\n  memory: 0GB\n",
        ),
    );
    estate.write("memory.yaml", &vm("vast", "  cpu: 5000\n  memory: 100TB\n"));
    estate.write(
        "product.yaml",
        &vm(
            "wide",
            "  cpu: { sockets: 64, coresPerSocket: 128 }\n  memory: 8GB\n",
        ),
    );
    let report = estate.scan();
    assert_sound(&report);
    assert_eq!(
        messages(&report, &estate.shown("topology.yaml")),
        vec![
            (
                Some(7),
                "VM `huge`: spec.cpu: sockets `1000000` is more than a machine has (allowed: 1-4,096)".to_string()
            ),
            (
                Some(8),
                "VM `huge`: spec.memory: `0GB` is no memory: a machine has some (allowed: above 0 up to 64 TiB)".to_string()
            ),
        ]
    );
    assert_eq!(
        messages(&report, &estate.shown("product.yaml")),
        vec![(
            Some(7),
            "VM `wide`: spec.cpu: `64 sockets x 128 cores` vCPUs is more than a machine has (allowed: up to 4,096)".to_string()
        )]
    );
    assert_eq!(
        messages(&report, &estate.shown("memory.yaml")),
        vec![
            (
                Some(7),
                "VM `vast`: spec.cpu: cpu `5000` is more than a machine has (allowed: 1-4,096)".to_string()
            ),
            (
                Some(8),
                "VM `vast`: spec.memory: `100TB` is more memory than a machine has (allowed: up to 64 TiB)".to_string()
            ),
        ]
    );
}

#[test]
fn metrics_beyond_a_machine_are_refused_and_never_reach_the_totals() {
    let estate = Estate::new();
    let metrics = estate.root().join("metrics.csv");
    std::fs::write(
        &metrics,
        "name,cpu_p95_pct,memory_p95_gib\ngood,500,1e300\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = estate
        .scan_with(ScanOptions {
            metrics: vec![metrics.clone()],
            ..ScanOptions::default()
        })
        .unwrap_or_else(|e| panic!("scan: {e}"));
    assert_sound(&report);
    let file = metrics.display().to_string();
    assert_eq!(
        messages(&report, &file),
        vec![
            (
                Some(2),
                "`good`: CPU: `500` is not a percentage between 0 and 100 (allowed: 0-100%)"
                    .to_string()
            ),
            (
                Some(2),
                "`good`: memory: `1e300` is more memory than a machine has (allowed: up to 64 TiB)"
                    .to_string()
            ),
        ]
    );
    let good = report.workloads.iter().find(|w| w.name == "good");
    let demand = good.and_then(|w| w.rightsizing.as_ref()?.demand.memory_gib);
    assert_eq!(demand, None);
}

#[test]
fn a_catalog_price_beyond_reason_is_refused() {
    let estate = Estate::new();
    let catalog = estate.root().join("sizes.yaml");
    std::fs::write(
        &catalog,
        "sizes:\n  - { name: D2, vcpu: 2, memory_gib: 8, price: 70 }\n  - { name: D4, vcpu: 4, memory_gib: 16, price: 1e308 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = estate
        .scan_with(ScanOptions {
            catalog: Some(catalog.clone()),
            ..ScanOptions::default()
        })
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            format!(
                "{}:3: entry `D4`: price `1e308` is more than a machine costs (allowed: 0 up to 1,000,000,000 a month)",
                catalog.display()
            )
            .as_str()
        )
    );
}

// ---------------------------------------------------------------------------------------
// Auxiliary files: regular files only, a size cap, read once
// ---------------------------------------------------------------------------------------

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(status.success());
}

const FIFO: &str = "not a regular file (a FIFO, socket or device is never read)";

#[test]
fn auxiliary_fifos_are_refused_never_waited_on() {
    let estate = Estate::new();
    let fifo = estate.root().join("aux.fifo");
    mkfifo(&fifo);
    let shown = fifo.display().to_string();
    let run = |opts: ScanOptions| {
        timed(Duration::from_secs(10), || estate.scan_with(opts))
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(
        run(ScanOptions {
            metrics: vec![fifo.clone()],
            ..ScanOptions::default()
        }),
        Some(format!("{shown}: metrics: {FIFO}"))
    );
    assert_eq!(
        run(ScanOptions {
            catalog: Some(fifo.clone()),
            ..ScanOptions::default()
        }),
        Some(format!("{shown}: catalog: {FIFO}"))
    );
    // A rules folder holding a FIFO named like a rule file.
    let rules = estate.root().join("rules");
    std::fs::create_dir_all(&rules).unwrap_or_else(|e| panic!("{e}"));
    mkfifo(&rules.join("trap.yaml"));
    let message = run(ScanOptions {
        rules: vec![rules.clone()],
        ..ScanOptions::default()
    })
    .unwrap_or_default();
    assert!(
        message.contains(&format!("{}", rules.join("trap.yaml").display()))
            && message.contains(&format!("rule file: {FIFO}")),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn config_and_baseline_links_to_devices_are_refused() {
    let estate = Estate::new();
    // An auto-discovered config naming a committed link to /dev/zero as its baseline.
    std::os::unix::fs::symlink("/dev/zero", estate.root().join("zero.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    estate.write(".fitscan.yaml", "baseline: zero.json\n");
    let out = common::fitscan()
        .current_dir(estate.root())
        .args(["scan", "good.yaml", "-q"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("zero.json: baseline: {FIFO}")),
        "{stderr}"
    );

    // The config itself a link to /dev/zero: an error, not a run without it.
    std::fs::remove_file(estate.root().join(".fitscan.yaml")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("/dev/zero", estate.root().join(".fitscan.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = common::fitscan()
        .current_dir(estate.root())
        .args(["scan", "good.yaml", "-q"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(".fitscan.yaml: config file: {FIFO}")),
        "{stderr}"
    );

    // A FIFO named by --config.
    let fifo = estate.root().join("config.fifo");
    mkfifo(&fifo);
    let out = common::fitscan()
        .current_dir(estate.root())
        .args(["scan", "good.yaml", "-q", "--config", "config.fifo"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("config.fifo: config file: {FIFO}")),
        "{stderr}"
    );
}

#[test]
fn an_auxiliary_file_over_the_cap_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("big.csv");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap_or_else(|e| panic!("{e}"));
    match fitscan::source::read_auxiliary_capped(&path, 1024) {
        Err(fitscan::source::AuxiliaryError::Other(m)) => assert_eq!(
            m,
            "4096 bytes is larger than the 1024 byte limit of an auxiliary file"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(fitscan::source::MAX_AUXILIARY_SIZE, 64 * 1024 * 1024);
}

#[test]
fn a_metrics_file_named_twice_is_read_once() {
    let estate = Estate::new();
    let metrics = estate.root().join("metrics.csv");
    std::fs::write(&metrics, "name,cpu_p95_pct\ngood,50\n").unwrap_or_else(|e| panic!("{e}"));
    let report = estate
        .scan_with(ScanOptions {
            metrics: vec![metrics.clone(), metrics.clone()],
            ..ScanOptions::default()
        })
        .unwrap_or_else(|e| panic!("scan: {e}"));
    assert_sound(&report);
    assert_eq!(report.assumptions.metrics.len(), 1);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

// ---------------------------------------------------------------------------------------
// Growth: what joins build is linear in what was written
// ---------------------------------------------------------------------------------------

mod growth {
    use std::path::Path;
    use std::sync::Arc;

    use fitscan::ingest::{self, IngestContext};
    use fitscan::source::SourceFile;
    use proptest::prelude::*;

    use super::amplify;

    /// (values written in the files, values the scan's workloads hold after the joins):
    /// the deterministic stand-in for memory.
    fn measure(dir: &Path, files: &[std::path::PathBuf]) -> (usize, usize) {
        let ctx = IngestContext {
            roots: Some(vec![dir.to_path_buf()]),
            ..IngestContext::default()
        };
        let mut written = 0;
        let mut workloads = Vec::new();
        let mut objects = Vec::new();
        let mut errors = Vec::new();
        for path in files {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
            let text = String::from_utf8_lossy(&bytes).into_owned();
            written += fitscan::yaml::parse_documents(&text)
                .map(|docs| docs.iter().map(fitscan::node::Node::count).sum::<usize>())
                .unwrap_or(0);
            let file = SourceFile {
                path: path.clone(),
                display: Arc::from(path.display().to_string()),
                bytes,
                explicit: true,
                archive: None,
                in_place: false,
            };
            let mut out = ingest::ingest(&file, &ctx);
            workloads.append(&mut out.workloads);
            objects.append(&mut out.objects);
            errors.append(&mut out.errors);
        }
        ingest::link(&mut workloads, objects, &mut errors, &ctx);
        let built = workloads
            .iter()
            .map(|w| w.doc.count() + w.facts.count())
            .sum();
        (written, built)
    }

    /// Linear: at most `per` values built per value written or copied within the budget
    /// (a workload's facts repeat some of its document).
    fn assert_linear(what: &str, (written, built): (usize, usize), per: usize) {
        let bound = per * (written + fitscan::ingest::MAX_COPIED_NODES);
        assert!(
            built <= bound,
            "{what}: {built} values built from {written} written (bound {bound})"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

        /// N Deployments x N Services x N NetworkPolicies sharing one selector.
        #[test]
        fn kubernetes_selectors(n in 1usize..160) {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let file = amplify::kubernetes_companions(dir.path(), n);
            let (written, built) = measure(dir.path(), &[file]);
            // No copy budget here: every workload lists at most 16 of each kind.
            prop_assert!(built <= 24 * written, "{n}: {built} built from {written} written");
        }

        /// One base service of E environment entries extended by S services.
        #[test]
        fn compose_extends(env in 100usize..4_000, services in 1usize..300) {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let file = amplify::compose_extends(dir.path(), env, services);
            assert_linear("compose", measure(dir.path(), &[file]), 4);
        }

        /// F flavours without vdu-profile x V VDUs.
        #[test]
        fn sol006_flavours_by_vdus(flavours in 1usize..400, vdus in 1usize..400) {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let file = amplify::sol006_flavours(dir.path(), flavours, vdus);
            assert_linear("sol006", measure(dir.path(), &[file]), 4);
        }
    }

    /// Before the budgets, the same inputs built the product: the bound above is not
    /// trivially true. At these sizes a naive join builds far more than the bound.
    #[test]
    fn the_bound_is_below_the_product() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = amplify::compose_extends(dir.path(), 4_000, 1_000);
        let (written, built) = measure(dir.path(), &[file]);
        let naive = 4_000 * 1_000;
        assert!(4 * (written + fitscan::ingest::MAX_COPIED_NODES) < naive);
        assert!(built < naive / 4, "{built} built");
    }
}
