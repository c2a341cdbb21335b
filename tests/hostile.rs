//! Hostile input: whatever a repository nobody reviewed or a customer export of any vintage
//! holds, a scan never panics, never hangs, reports each bad file with a clear error (file,
//! line, what is wrong) and still assesses every other file of the same scan.
//!
//! Every case scans a folder that also holds a good VM spec, and checks both the exact error
//! and that the good VM was assessed. No case may reach the last line of defence (the
//! "internal error" entry a panic becomes).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
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
        estate.write("good.yaml", GOOD_VM.as_bytes());
        estate
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {name}: {e}"));
        path
    }

    /// Scans the whole folder (files found by walking).
    fn scan(&self) -> Report {
        self.scan_with(&[self.root().to_path_buf()], ScanOptions::default())
    }

    /// Scans the whole folder with `--max-file-size max_file_size`.
    fn scan_limited(&self, max_file_size: u64) -> Report {
        self.scan_with(
            &[self.root().to_path_buf()],
            ScanOptions {
                max_file_size,
                ..ScanOptions::default()
            },
        )
    }

    /// Scans the good VM and `name`, both named as on a command line.
    fn scan_named(&self, name: &str) -> Report {
        self.scan_with(
            &[self.path("good.yaml"), self.path(name)],
            ScanOptions::default(),
        )
    }

    fn scan_with(&self, paths: &[PathBuf], opts: ScanOptions) -> Report {
        let opts = ScanOptions { jobs: 2, ..opts };
        let report = scan(paths, &opts).unwrap_or_else(|e| panic!("scan: {e}"));
        assert_sound(&report);
        report
    }

    /// The path of `name` as the report shows it.
    fn shown(&self, name: &str) -> String {
        self.path(name).display().to_string()
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

/// The one error of `file`, as (line, message, rule).
fn only_error(report: &Report, file: &str) -> (Option<u32>, String, &'static str) {
    let errors = errors_of(report, file);
    assert_eq!(errors.len(), 1, "errors of {file}: {:?}", report.errors);
    (errors[0].line, errors[0].message.clone(), errors[0].rule)
}

fn assert_no_error(report: &Report, file: &str) {
    assert!(
        errors_of(report, file).is_empty(),
        "{file}: {:?}",
        report.errors
    );
}

/// Workload names; a Dockerfile's workload is named after its folder, shown here by the
/// folder's own name.
fn workload_names(report: &Report) -> Vec<&str> {
    report
        .workloads
        .iter()
        .map(|w| w.name.rsplit('/').next().unwrap_or(&w.name))
        .collect()
}

fn workload<'a>(report: &'a Report, name: &str) -> &'a fitscan::assessment::WorkloadReport {
    report
        .workloads
        .iter()
        .find(|w| w.name == name || w.name.ends_with(&format!("/{name}")))
        .unwrap_or_else(|| panic!("no workload {name}: {:?}", report.errors))
}

// ---------------------------------------------------------------------------------------
// Reading files

#[cfg(unix)]
#[test]
fn a_fifo_is_passed_over_when_walked_and_refused_when_named_never_read() {
    let estate = Estate::new();
    let fifo = estate.path("pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(made.success());
    // A walked `.zip` is looked into before it is read: that look never blocks either.
    let made = std::process::Command::new("mkfifo")
        .arg(estate.path("pipe.zip"))
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(made.success());
    // Walked: skipped silently, the scan ends.
    let report = estate.scan();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Named: an error entry, and no blocking open (the CLI is killed if it waits).
    let out = Command::cargo_bin("fitscan")
        .unwrap_or_else(|e| panic!("binary: {e}"))
        .args(["scan", "--format", "json", "--fail-on", "never"])
        .arg(estate.path("good.yaml"))
        .arg(&fifo)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON: {e}"));
    assert_eq!(json["errors"][0]["file"], fifo.display().to_string());
    assert_eq!(
        json["errors"][0]["message"],
        "not a regular file (a FIFO, socket or device is never read)"
    );
    assert_eq!(json["workloads"][0]["name"], "good");
}

#[cfg(unix)]
#[test]
fn sockets_and_devices_are_never_read() {
    let estate = Estate::new();
    let socket = estate.path("control.yaml");
    let _listener =
        std::os::unix::net::UnixListener::bind(&socket).unwrap_or_else(|e| panic!("bind: {e}"));
    let report = estate.scan();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let report = estate.scan_named("control.yaml");
    let (line, message, rule) = only_error(&report, &estate.shown("control.yaml"));
    assert_eq!(line, None);
    assert_eq!(
        message,
        "not a regular file (a FIFO, socket or device is never read)"
    );
    assert_eq!(rule, "input-error");
    let report = estate.scan_with(
        &[estate.path("good.yaml"), PathBuf::from("/dev/zero")],
        ScanOptions::default(),
    );
    let (_, message, _) = only_error(&report, "/dev/zero");
    assert!(message.starts_with("not a regular file"));
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_followed_only_when_asked_and_loops_end() {
    let estate = Estate::new();
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let elsewhere = outside.path().join("elsewhere.yaml");
    std::fs::write(&elsewhere, GOOD_VM.replace("good", "elsewhere"))
        .unwrap_or_else(|e| panic!("write: {e}"));
    std::os::unix::fs::symlink(&elsewhere, estate.path("link.yaml"))
        .unwrap_or_else(|e| panic!("symlink: {e}"));
    std::fs::create_dir_all(estate.path("nested/deeper")).unwrap_or_else(|e| panic!("{e}"));
    // A loop: nested/deeper/up -> nested
    std::os::unix::fs::symlink(estate.path("nested"), estate.path("nested/deeper/up"))
        .unwrap_or_else(|e| panic!("symlink: {e}"));

    std::os::unix::fs::symlink("/nonexistent/vm.yaml", estate.path("dangling.yaml"))
        .unwrap_or_else(|e| panic!("symlink: {e}"));

    let report = estate.scan();
    assert_eq!(workload_names(&report), ["good"]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    let followed = estate.scan_with(
        &[estate.root().to_path_buf()],
        ScanOptions {
            follow_links: true,
            ..ScanOptions::default()
        },
    );
    let mut names = workload_names(&followed);
    names.sort_unstable();
    assert_eq!(names, ["elsewhere", "good"]);
    let loops: Vec<&ScanError> = followed
        .errors
        .iter()
        .filter(|e| e.message.starts_with("symbolic link loop"))
        .collect();
    assert_eq!(loops.len(), 1, "{:?}", followed.errors);
    assert_eq!(loops[0].file, estate.shown("nested/deeper/up"));
    assert_eq!(
        only_error(&followed, &estate.shown("dangling.yaml")),
        (
            None,
            "broken symbolic link: its target does not exist".to_string(),
            "input-error"
        )
    );
    assert_eq!(
        loops[0].message,
        format!(
            "symbolic link loop: it leads back to {}, which is walked once",
            estate.shown("nested")
        )
    );
}

#[test]
fn files_over_the_size_limit_are_skipped_with_an_error() {
    let estate = Estate::new();
    let mut big = GOOD_VM.replace("good", "big");
    big.push_str(&"# padding\n".repeat(200));
    estate.write("big.yaml", big.as_bytes());
    let report = estate.scan_limited(1024);
    let (line, message, rule) = only_error(&report, &estate.shown("big.yaml"));
    assert_eq!(line, None);
    assert_eq!(
        message,
        format!(
            "skipped: {} bytes is larger than the 1024 byte limit (--max-file-size)",
            big.len()
        )
    );
    assert_eq!(rule, "input-error");
}

#[test]
fn binary_files_are_passed_over_when_walked_and_refused_when_named() {
    let estate = Estate::new();
    estate.write("blob.yaml", b"kind: Pod\x00\x01\x02\xff");
    estate.write("svc/Dockerfile", b"FROM alpine\x00\x00\x00");
    let report = estate.scan();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(workload_names(&report), ["good"]);
    let report = estate.scan_named("blob.yaml");
    let (_, message, rule) = only_error(&report, &estate.shown("blob.yaml"));
    assert_eq!(message, "binary file, not a recognised input");
    assert_eq!(rule, "input-error");
}

#[test]
fn invalid_utf8_names_the_line_in_yaml_and_dockerfiles() {
    let estate = Estate::new();
    estate.write(
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: { name: caf\xe9 }\n",
    );
    estate.write("svc/Dockerfile", b"FROM alpine:3.20\nLABEL a=\"caf\xe9\"\n");
    let report = estate.scan();
    assert_eq!(
        only_error(&report, &estate.shown("latin1.yaml")),
        (
            Some(3),
            "not valid UTF-8 (byte offset 52); save the file as UTF-8".to_string(),
            "parse-error"
        )
    );
    assert_eq!(
        only_error(&report, &estate.shown("svc/Dockerfile")),
        (
            Some(2),
            "not valid UTF-8 (byte offset 29); save the file as UTF-8".to_string(),
            "parse-error"
        )
    );
}

#[test]
fn bom_crlf_and_utf16_read_with_the_right_lines() {
    let estate = Estate::new();
    let vm = GOOD_VM
        .replace("good", "windows-saved")
        .replace("memory: 4GB", "memory: -4GB");
    let crlf = format!("\u{feff}{}", vm.replace('\n', "\r\n"));
    estate.write("crlf.yaml", crlf.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        vm.replace("windows-saved", "powershell-saved")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    estate.write("utf16.yaml", &utf16);
    estate.write(
        "svc/Dockerfile",
        "\u{feff}FROM alpine:3.20\r\nUSER root\r\n".as_bytes(),
    );
    let report = estate.scan();
    let mut names = workload_names(&report);
    names.sort_unstable();
    assert_eq!(names, ["good", "powershell-saved", "svc", "windows-saved"]);
    // The negative memory is reported on its own line, whatever the encoding.
    for (file, vm) in [
        ("crlf.yaml", "windows-saved"),
        ("utf16.yaml", "powershell-saved"),
    ] {
        assert_eq!(
            only_error(&report, &estate.shown(file)),
            (
                Some(8),
                format!("VM `{vm}`: spec.memory: `-4GB` is negative"),
                "parse-error"
            )
        );
    }
    let df = workload(&report, "svc");
    assert!(df.findings.iter().all(|f| f.line <= 2), "{:?}", df.findings);
}

#[cfg(unix)]
#[test]
fn permission_denied_is_an_error_entry() {
    use std::os::unix::fs::PermissionsExt;
    let estate = Estate::new();
    let locked = estate.write("locked.yaml", GOOD_VM.replace("good", "locked").as_bytes());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000))
        .unwrap_or_else(|e| panic!("chmod: {e}"));
    std::fs::create_dir_all(estate.path("closed")).unwrap_or_else(|e| panic!("{e}"));
    estate.write(
        "closed/inner.yaml",
        GOOD_VM.replace("good", "inner").as_bytes(),
    );
    std::fs::set_permissions(
        estate.path("closed"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap_or_else(|e| panic!("chmod: {e}"));
    // The superuser reads everything: as root (the development machine, CI), the scan runs
    // as `nobody` through setpriv to meet the refusals a user would.
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let report: serde_json::Value = if root {
        std::fs::set_permissions(estate.root(), std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod: {e}"));
        const AS_NOBODY: [&str; 3] = ["--reuid=65534", "--regid=65534", "--clear-groups"];
        const TEST: &str = "permission_denied_is_an_error_entry";
        // Whether privileges can be dropped at all is asked first, with `true`: a failure of
        // setpriv (missing, or refused by the container) is a missing prerequisite, and a
        // failure of fitscan below is fitscan's.
        let probe = std::process::Command::new("setpriv")
            .args(AS_NOBODY)
            .arg("true")
            .output();
        let missing = match &probe {
            Err(e) => Some(format!(
                "setpriv (util-linux) cannot be run ({e}); as root the test needs it to scan as `nobody`"
            )),
            Ok(out) if !out.status.success() => Some(format!(
                "setpriv cannot drop privileges to `nobody` here ({}: {})",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Ok(_) => None,
        };
        if let Some(what) = missing {
            restore(&estate);
            common::missing_prerequisite(TEST, &what);
            return;
        }
        let out = std::process::Command::new("setpriv")
            .args(AS_NOBODY)
            .arg(assert_cmd::cargo::cargo_bin("fitscan"))
            .args(["scan", "--format", "json", "--fail-on", "never"])
            .arg(estate.root())
            .output()
            .unwrap_or_else(|e| panic!("setpriv ran `true` but not fitscan: {e}"));
        assert!(
            out.status.success(),
            "fitscan failed when run as `nobody` ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON: {e}: {out:?}"))
    } else {
        let report = estate.scan();
        serde_json::to_value(&report).unwrap_or_else(|e| panic!("JSON: {e}"))
    };
    restore(&estate);
    let errors: Vec<(String, String)> = report["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["file"].as_str().unwrap_or("").to_string(),
                        e["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        errors,
        [
            (
                estate.shown("closed"),
                "cannot read: permission denied".to_string()
            ),
            (
                estate.shown("locked.yaml"),
                "cannot read: permission denied".to_string()
            ),
        ]
    );
    assert_eq!(report["workloads"][0]["name"], "good");
    assert_eq!(report["workloads"].as_array().map(Vec::len), Some(1));
}

/// Gives the folder back its permissions, so that it can be removed.
#[cfg(unix)]
fn restore(estate: &Estate) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(
        estate.path("closed"),
        std::fs::Permissions::from_mode(0o755),
    );
}

#[test]
fn empty_files() {
    let estate = Estate::new();
    estate.write("empty.yaml", b"");
    estate.write("blank.yaml", b"\n\n   \n# kind: VirtualMachine\n");
    estate.write("svc/Dockerfile", b"");
    estate.write("RVTools_tabvInfo.csv", b"");
    let report = estate.scan();
    assert_no_error(&report, &estate.shown("empty.yaml"));
    assert_eq!(
        only_error(&report, &estate.shown("svc/Dockerfile")),
        (
            Some(1),
            "empty Dockerfile: there is no FROM instruction".to_string(),
            "parse-error"
        )
    );
    let report = estate.scan_named("empty.yaml");
    assert_eq!(
        only_error(&report, &estate.shown("empty.yaml")),
        (Some(1), "empty file".to_string(), "parse-error")
    );
}

// ---------------------------------------------------------------------------------------
// YAML and JSON

fn billion_laughs() -> String {
    let mut lines = vec![
        "apiVersion: v1".to_string(),
        "kind: ConfigMap".to_string(),
        r#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#.to_string(),
    ];
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        lines.push(format!("a{i}: &a{i} [{refs}]"));
    }
    lines.join("\n") + "\n"
}

#[test]
fn a_billion_laughs_fails_fast_with_the_line() {
    let estate = Estate::new();
    estate.write("laughs.yaml", billion_laughs().as_bytes());
    let started = std::time::Instant::now();
    let report = estate.scan();
    assert_eq!(
        only_error(&report, &estate.shown("laughs.yaml")),
        (
            Some(8),
            "YAML expands too much (alias bomb or oversized stream); refusing to parse".into(),
            "parse-error"
        )
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn nesting_a_hundred_thousand_deep_fails_fast() {
    let estate = Estate::new();
    let flow = format!(
        "apiVersion: v1\nkind: Pod\nspec: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    estate.write("flow.yaml", flow.as_bytes());
    let block = format!(
        "kind: Deployment\napiVersion: apps/v1\nspec:\n{}x\n",
        "- ".repeat(100_000)
    );
    estate.write("block.yaml", block.as_bytes());
    let json = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {}1{}}}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    );
    estate.write("deep.json", json.as_bytes());
    let report = estate.scan();
    let too_deep = "YAML nesting is too deep (more than 200 levels); refusing to parse";
    assert_eq!(
        only_error(&report, &estate.shown("flow.yaml")),
        (Some(3), too_deep.to_string(), "parse-error")
    );
    assert_eq!(
        only_error(&report, &estate.shown("block.yaml")),
        (Some(4), too_deep.to_string(), "parse-error")
    );
    assert_eq!(
        only_error(&report, &estate.shown("deep.json")),
        (Some(1), too_deep.to_string(), "parse-error")
    );
}

#[test]
fn a_ten_thousand_item_list_and_a_ten_thousand_document_bundle_scan() {
    let estate = Estate::new();
    let mut list = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..10_000 {
        if i % 100 == 0 {
            list.push_str(&format!(
                "  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {{ name: app-{i}, namespace: shop }}\n    spec:\n      template:\n        spec:\n          containers: [ {{ name: app, image: \"nginx:1.27\" }} ]\n"
            ));
        } else {
            list.push_str(&format!(
                "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {{ name: cm-{i}, namespace: shop }}\n    data: {{ key: value }}\n"
            ));
        }
    }
    estate.write("export.yaml", list.as_bytes());
    let bundle: String = (0..10_000)
        .map(|i| format!("---\napiVersion: v1\nkind: Service\nmetadata: {{ name: svc-{i}, namespace: shop }}\nspec: {{ selector: {{ app: app-{i} }} }}\n"))
        .collect();
    estate.write("services.yaml", bundle.as_bytes());
    let report = estate.scan();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let deployments = report
        .workloads
        .iter()
        .filter(|w| w.file.ends_with("export.yaml"))
        .count();
    assert_eq!(deployments, 100);
}

#[test]
fn a_document_that_is_a_bare_scalar_or_a_list() {
    let estate = Estate::new();
    estate.write("scalar.yaml", b"just a sentence\n");
    estate.write("list.yaml", b"- kind: VirtualMachine\n- 42\n");
    let report = estate.scan();
    assert_no_error(&report, &estate.shown("scalar.yaml"));
    for name in ["scalar.yaml", "list.yaml"] {
        let report = estate.scan_named(name);
        assert_eq!(
            only_error(&report, &estate.shown(name)),
            (
                None,
                "not a recognised input (expected a VM spec, inventory, Dockerfile, Kubernetes manifest, Compose file or VNF descriptor)".to_string(),
                "input-error"
            )
        );
    }
}

#[test]
fn a_list_where_a_mapping_is_expected() {
    let estate = Estate::new();
    estate.write(
        "listspec.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: listspec }\nspec: [1, 2]\n",
    );
    estate.write(
        "listmeta.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: [x]\nspec: { cpu: { vcpus: 2 } }\n",
    );
    estate.write(
        "cpu.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: cpulist }\nspec:\n  cpu: [2]\n  disks: { size: 10GB }\n",
    );
    let report = estate.scan();
    assert_eq!(
        only_error(&report, &estate.shown("listspec.yaml")),
        (
            Some(4),
            "VM `listspec`: spec: expected a mapping (platform, os, cpu, memory, disks, ...), not a list".into(),
            "parse-error"
        )
    );
    assert_eq!(
        only_error(&report, &estate.shown("listmeta.yaml")),
        (
            Some(1),
            "VirtualMachine has no metadata.name".into(),
            "parse-error"
        )
    );
    let cpu: Vec<(Option<u32>, &str)> = errors_of(&report, &estate.shown("cpu.yaml"))
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(
        cpu,
        [
            (
                Some(5),
                "VM `cpulist`: spec.cpu: cpu must be a positive number, not `[2]`"
            ),
            (
                Some(6),
                "VM `cpulist`: spec.disks: expected a list of { size, count }"
            )
        ]
    );
    // A listspec VM is still a workload, with what could be read.
    assert!(workload_names(&report).contains(&"listspec"));
}

#[test]
fn huge_negative_nan_and_infinite_numbers() {
    let estate = Estate::new();
    estate.write(
        "numbers.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: numbers }\nspec:\n  cpu: { vcpus: 99999999999999999999999999 }\n  memory: 99999999999999999999TB\n  disks:\n    - { size: -10GB }\n    - { size: 1e999GB }\n",
    );
    estate.write(
        "nan.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: nan }\nspec:\n  cpu: { vcpus: .nan }\n  memory: .inf\n  utilisation: { cpu: { p95: .NaN } }\n",
    );
    let report = estate.scan();
    let messages = |file: &str| -> Vec<(Option<u32>, String)> {
        errors_of(&report, &estate.shown(file))
            .iter()
            .map(|e| (e.line, e.message.clone()))
            .collect()
    };
    assert_eq!(
        messages("numbers.yaml"),
        [
            (
                Some(5),
                "VM `numbers`: spec.cpu: vcpus `100000000000000004764729344` is more than a million: not a machine's count".to_string()
            ),
            (
                Some(6),
                "VM `numbers`: spec.memory: `99999999999999999999TB` is larger than 1 EiB: not a machine's size".to_string()
            ),
            (
                Some(8),
                "VM `numbers`: spec.disks: `-10GB` is negative".to_string()
            ),
        ]
    );
    assert_eq!(
        messages("nan.yaml"),
        [
            (
                Some(5),
                "VM `nan`: spec.cpu: vcpus must be a positive number, not `.nan`".to_string()
            ),
            (
                Some(6),
                "VM `nan`: spec.memory: `.inf` is not a size".to_string()
            ),
            (
                Some(7),
                "VM `nan`: utilisation.cpu: `.NaN` is not a percentage".to_string()
            ),
        ]
    );
    // Both VMs are assessed with what could be read, and no total is poisoned.
    assert!(workload_names(&report).contains(&"numbers"));
    assert!(report.summary.reclaimable.vcpu.is_finite());
    assert!(report.summary.reclaimable.storage_gib.is_finite());
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    let estate = Estate::new();
    estate.write(
        "dup.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: dup }\nspec:\n  cpu: { vcpus: 64 }\n  memory: 4GB\n  cpu: { vcpus: 2 }\n",
    );
    let report = estate.scan();
    assert_no_error(&report, &estate.shown("dup.yaml"));
    let dup = report
        .workloads
        .iter()
        .find(|w| w.name == "dup")
        .and_then(|w| w.rightsizing.as_ref())
        .and_then(|r| r.current.vcpu);
    assert_eq!(dup, Some(2.0));
}

#[test]
fn unknown_kinds_are_not_workloads() {
    let estate = Estate::new();
    estate.write(
        "custom.yaml",
        b"apiVersion: example.com/v1\nkind: Frobnicator\nmetadata: { name: x }\nspec: { size: 3 }\n",
    );
    estate.write(
        "fitscan-kind.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachinePool\nmetadata: { name: pool }\n",
    );
    let report = estate.scan();
    assert_eq!(workload_names(&report), ["good"]);
    assert_no_error(&report, &estate.shown("custom.yaml"));
    assert_eq!(
        only_error(&report, &estate.shown("fitscan-kind.yaml")),
        (
            Some(2),
            "unknown kind `VirtualMachinePool` for apiVersion fitscan/v1 (expected VirtualMachine or VirtualMachineList)".into(),
            "parse-error"
        )
    );
}

#[test]
fn a_helm_template_and_broken_yaml() {
    let estate = Estate::new();
    estate.write(
        "templates/deployment.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {}\n{{- end }}\n",
    );
    estate.write(
        "broken.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n",
    );
    let report = estate.scan();
    assert_no_error(&report, &estate.shown("templates/deployment.yaml"));
    let (line, message, rule) = only_error(&report, &estate.shown("broken.yaml"));
    assert_eq!(line, Some(5));
    assert!(message.starts_with("invalid YAML: "), "{message}");
    assert_eq!(rule, "parse-error");
}

// ---------------------------------------------------------------------------------------
// Dockerfiles

#[test]
fn dockerfiles_with_huge_continuations_long_lines_or_only_comments() {
    let estate = Estate::new();
    let mut continued = String::from("FROM alpine:3.20\nRUN echo start \\\n");
    for _ in 0..100_000 {
        continued.push_str("  && echo more \\\n");
    }
    continued.push_str("  && true\nUSER app\n");
    estate.write("continued/Dockerfile", continued.as_bytes());
    let long = format!(
        "FROM alpine:3.20\nRUN echo {}\nUSER app\n",
        "x".repeat(5_000_000)
    );
    estate.write("long/Dockerfile", long.as_bytes());
    estate.write("comments/Dockerfile", b"# only\n# comments\n\n");
    let report = estate.scan();
    let mut names = workload_names(&report);
    names.sort_unstable();
    assert_eq!(names, ["continued", "good", "long"]);
    assert_no_error(&report, &estate.shown("continued/Dockerfile"));
    assert_no_error(&report, &estate.shown("long/Dockerfile"));
    assert_eq!(
        only_error(&report, &estate.shown("comments/Dockerfile")),
        (
            Some(1),
            "not a Dockerfile: expected at least one FROM instruction".into(),
            "parse-error"
        )
    );
    // The USER after 100,000 continuation lines is found on its own line.
    let continued = workload(&report, "continued");
    assert!(continued.findings.iter().all(|f| f.line <= 100_004));
}

#[test]
fn thousands_of_inline_suppressions_stay_linear() {
    let estate = Estate::new();
    let mut text = String::from("FROM ubuntu:22.04\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "# fitscan ignore=DF020: batch {i}\nRUN apt-get install -y pkg{i}\n"
        ));
    }
    estate.write("many/Dockerfile", text.as_bytes());
    let report = estate.scan();
    assert_no_error(&report, &estate.shown("many/Dockerfile"));
    let many = workload(&report, "many");
    assert_eq!(many.suppressed.len(), 10_000);
    assert_eq!(many.suppressed[9_999].line, 20_001);
    assert_eq!(many.suppressed[9_999].reason.as_deref(), Some("batch 9999"));
    assert!(many.findings.iter().all(|f| f.rule != "DF020"));
}

// ---------------------------------------------------------------------------------------
// Inventories, OVF, workbooks

#[test]
fn csv_with_broken_quoting_nan_inf_negative_and_huge_numbers() {
    let estate = Estate::new();
    estate.write(
        "RVTools_tabvInfo.csv",
        b"VM,Powerstate,CPUs,Memory,Total disk capacity MiB,In Use MiB,OS according to the configuration file\n\
vm1,poweredOn,2,4096,10240,5000,CentOS 7\n\
vm2,poweredOn,NaN,inf,10240,5000,CentOS 7\n\
vm3,poweredOn,-2,-4096,-10,5000,CentOS 7\n\
vm4,poweredOn,99999999999999999999999,4096,10240,5000,CentOS 7\n\
vm5,poweredOn,2,4096,10240,5000,\"Red Hat\n\
vm6,poweredOn,2,4096,10240,5000,CentOS 7\n",
    );
    let report = estate.scan();
    let errors: Vec<(Option<u32>, &str)> =
        errors_of(&report, &estate.shown("RVTools_tabvInfo.csv"))
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
    assert_eq!(
        errors,
        [
            (Some(3), "VM `vm2`: CPUs: `NaN` is not a number"),
            (Some(3), "VM `vm2`: Memory: `inf` is not a number"),
            (Some(4), "VM `vm3`: CPUs: `-2` is negative"),
            (Some(4), "VM `vm3`: Memory: `-4096` is negative"),
            (
                Some(4),
                "VM `vm3`: Total disk capacity MiB: `-10` is negative"
            ),
            (
                Some(5),
                "VM `vm4`: spec.cpu: vcpus `99999999999999991611392` is more than a million: not a machine's count"
            ),
            (
                Some(6),
                "unterminated quote: this row is skipped (close the quote or remove it)"
            ),
        ]
    );
    // Every row but the broken one is a workload, the one after it included.
    let mut names = workload_names(&report);
    names.sort_unstable();
    assert_eq!(names, ["good", "vm1", "vm2", "vm3", "vm4", "vm6"]);
}

#[test]
fn an_ovf_with_an_entity_bomb_is_refused_unexpanded() {
    let estate = Estate::new();
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let refs = format!(
            "&lol{};",
            if i == 1 {
                String::new()
            } else {
                (i - 1).to_string()
            }
        )
        .repeat(10);
        bomb.push_str(&format!(" <!ENTITY lol{i} \"{refs}\">\n"));
    }
    bomb.push_str("]>\n<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"><VirtualSystem id=\"&lol9;\"/></Envelope>\n");
    estate.write("appliance.ovf", bomb.as_bytes());
    let report = estate.scan();
    assert_eq!(
        only_error(&report, &estate.shown("appliance.ovf")),
        (
            Some(13),
            "DOCTYPE declarations are refused: fitscan never expands XML entities (an entity expansion bomb hides there)".into(),
            "parse-error"
        )
    );
}

#[test]
fn workbooks_that_are_empty_or_not_workbooks() {
    let estate = Estate::new();
    estate.write("empty.xlsx", b"");
    // A zip archive with one stored file and no workbook parts.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .unwrap_or_else(|e| panic!("zip: {e}"));
    std::io::Write::write_all(&mut zip, b"hello").unwrap_or_else(|e| panic!("zip: {e}"));
    let zipped = zip
        .finish()
        .unwrap_or_else(|e| panic!("zip: {e}"))
        .into_inner();
    estate.write("archive.xlsx", &zipped);
    // Found by walking: not RVTools workbooks, passed over.
    let report = estate.scan();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let report = estate.scan_named("empty.xlsx");
    assert_eq!(
        only_error(&report, &estate.shown("empty.xlsx")),
        (
            None,
            "not a readable .xlsx workbook: invalid Zip archive: Could not find EOCD".into(),
            "parse-error"
        )
    );
    let report = estate.scan_named("archive.xlsx");
    let (_, message, rule) = only_error(&report, &estate.shown("archive.xlsx"));
    assert!(
        message.starts_with("not a readable .xlsx workbook"),
        "{message}"
    );
    assert_eq!(rule, "parse-error");
}

// ---------------------------------------------------------------------------------------
// VNF packages

#[test]
fn a_vnf_package_importing_itself_or_in_a_cycle() {
    let estate = Estate::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/vnf/fixtures/cloud");
    let package = estate.path("upf");
    common::copy_folder(&fixture, &package);
    let top = package.join("Definitions/cloud_top.yaml");
    let text = std::fs::read_to_string(&top).unwrap_or_else(|e| panic!("read: {e}"));
    std::fs::write(
        &top,
        text.replace(
            "  - cloud_types.yaml\n",
            "  - cloud_types.yaml\n  - cloud_top.yaml\n",
        ),
    )
    .unwrap_or_else(|e| panic!("write: {e}"));
    let types = package.join("Definitions/cloud_types.yaml");
    let text = std::fs::read_to_string(&types).unwrap_or_else(|e| panic!("read: {e}"));
    let text = if text.contains("imports:") {
        text.replace("imports:\n", "imports:\n  - cloud_top.yaml\n")
    } else {
        format!("imports:\n  - cloud_top.yaml\n{text}")
    };
    std::fs::write(&types, text).unwrap_or_else(|e| panic!("write: {e}"));
    let report = estate.scan();
    let vnfs: Vec<&str> = report
        .workloads
        .iter()
        .filter(|w| w.file.contains("upf"))
        .map(|w| w.name.as_str())
        .collect();
    assert!(!vnfs.is_empty(), "{:?}", report.errors);
    assert!(
        report.errors.iter().all(|e| !e.file.contains("upf")),
        "{:?}",
        report.errors
    );
}

// ---------------------------------------------------------------------------------------
// Compose projects

/// The errors of `file` as (line, message), in order.
fn located(report: &Report, file: &str) -> Vec<(Option<u32>, String)> {
    errors_of(report, file)
        .iter()
        .map(|e| (e.line, e.message.clone()))
        .collect()
}

#[test]
fn compose_include_and_extends_cycles_missing_files_and_self_references() {
    let estate = Estate::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/compose");
    let project = estate.path("loops");
    common::copy_folder(&fixture, &project);
    let report = estate.scan();
    let shown = |name: &str| estate.shown(&format!("loops/{name}"));
    let top = shown("compose.yaml");
    assert_eq!(
        located(&report, &top),
        vec![
            (Some(3), format!("include cycle: {top} -> {top}")),
            (
                Some(5),
                format!("include `{}`: no such file", shown("missing/compose.yaml"))
            ),
            (
                Some(10),
                "Compose service `self`: extends cycle: self -> self".into()
            ),
            (
                Some(14),
                "Compose service `pong`: extends cycle: ping -> pong -> ping".into()
            ),
            (
                Some(16),
                format!(
                    "Compose service `away`: extends: file `{}`: no such file",
                    shown("nowhere.yaml")
                )
            ),
            (
                Some(20),
                format!("Compose service `ghost`: extends: no service `nobody` in {top}")
            ),
        ]
    );
    let looped = shown("loop/compose.yaml");
    assert_eq!(
        located(&report, &looped),
        vec![(
            Some(2),
            format!("include cycle: {top} -> {looped} -> {top}")
        )]
    );
    // The sound services are assessed, the included one in the including project only.
    let mut names = workload_names(&report);
    names.sort_unstable();
    assert_eq!(names, vec!["fine", "good", "looped"]);
    assert_eq!(workload(&report, "looped").name, "loops/looped");
}

#[test]
fn a_ten_thousand_long_extends_chain_is_one_error_and_fast() {
    let estate = Estate::new();
    let mut text = String::from("services:\n");
    for i in 0..10_000 {
        if i == 0 {
            text.push_str("  s0:\n    image: nginx:1.27\n");
        } else {
            text.push_str(&format!(
                "  s{i}:\n    extends: s{}\n    ports: ['{i}:80']\n",
                i - 1
            ));
        }
    }
    estate.write("deep/compose.yaml", text.as_bytes());
    let started = std::time::Instant::now();
    let report = estate.scan();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let file = estate.shown("deep/compose.yaml");
    assert_eq!(
        located(&report, &file),
        vec![
            (
                Some(196),
                "Compose service `s65`: extends chain longer than 64 services: not assessed"
                    .into()
            ),
            (
                Some(200),
                "Compose service `s66`: not assessed: it extends a service with an error (and 9933 more services)"
                    .into()
            ),
        ]
    );
    // The 65 services within the limit are assessed, the last with 64 inherited ports.
    assert_eq!(report.workloads.len(), 66);
}

#[test]
fn a_diamond_of_includes_is_bounded() {
    // Each level includes both files of the next: 2^25 paths to the last level.
    let estate = Estate::new();
    for level in 0..25 {
        for side in ["a", "b"] {
            estate.write(
                &format!("diamond/l{level}{side}.yaml"),
                format!(
                    "include:\n  - l{next}a.yaml\n  - l{next}b.yaml\nservices:\n  s{level}{side}:\n    image: nginx:1.27\n",
                    next = level + 1
                )
                .as_bytes(),
            );
        }
    }
    estate.write(
        "diamond/l25a.yaml",
        b"services:\n  leaf:\n    image: nginx:1.27\n",
    );
    estate.write(
        "diamond/l25b.yaml",
        b"services:\n  leaf2:\n    image: nginx:1.27\n",
    );
    estate.write(
        "diamond/compose.yaml",
        b"include:\n  - l0a.yaml\n  - l0b.yaml\n",
    );
    let started = std::time::Instant::now();
    let report = estate.scan();
    assert!(started.elapsed() < Duration::from_secs(30));
    let errors: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        errors,
        vec!["more than 1000 includes in one project: the rest are not followed"]
    );
    // The same file reached twice is no conflict; what was followed is assessed once.
    assert!(workload_names(&report).contains(&"s0a"));
}

#[test]
fn compose_includes_outside_the_scanned_folder_are_not_read() {
    let estate = Estate::new();
    estate.write(
        "outside/secret.yaml",
        b"services:\n  leak:\n    image: nginx:1.27\n",
    );
    estate.write(
        "scanned/compose.yaml",
        b"include:\n  - ../outside/secret.yaml\nservices:\n  web:\n    image: nginx:1.27\n",
    );
    estate.write("scanned/good.yaml", GOOD_VM.as_bytes());
    let report = estate.scan_with(&[estate.path("scanned")], ScanOptions::default());
    let file = estate.shown("scanned/compose.yaml");
    assert_eq!(
        located(&report, &file),
        vec![(
            Some(2),
            format!(
                "include `{}`: outside the scanned folders, not read (scan a folder that holds both files)",
                estate
                    .shown("scanned/../outside/secret.yaml")
                    .replace("scanned/../", "")
            )
        )]
    );
    assert!(workload_names(&report).contains(&"web"));
    assert!(!workload_names(&report).contains(&"leak"));
}

#[test]
fn a_dotenv_that_is_not_utf8_unterminated_or_a_bomb_names_its_line() {
    let estate = Estate::new();
    estate.write(
        "app/compose.yaml",
        b"services:\n  web:\n    image: nginx:${TAG:-1.27}\n",
    );
    estate.write("app/.env", b"A=1\nTAG=\xff\xfe\n");
    estate.write(
        "api/compose.yaml",
        b"services:\n  api:\n    image: api:${TAG:-2}\n",
    );
    estate.write("api/.env", b"TAG=\"open\nB=2\n");
    // Found by fuzzing: a value that doubles itself on every line (2^64 bytes by the end).
    estate.write(
        "bomb/compose.yaml",
        b"services:\n  db:\n    image: postgres:${TAG:-16}\n",
    );
    let bomb = format!("A=x\n{}", "A=$A$A\n".repeat(64));
    estate.write("bomb/.env", bomb.as_bytes());
    let started = std::time::Instant::now();
    let report = estate.scan();
    assert!(started.elapsed() < Duration::from_secs(30));
    let (line, message, _) = only_error(&report, &estate.shown("bomb/.env"));
    assert_eq!(
        (line, message.as_str()),
        (
            Some(25),
            "`A`: the variables expand beyond 16 MiB (a value that refers to itself over and over?) (the project's variables are taken as unset)"
        )
    );
    assert_eq!(workload(&report, "db").name, "bomb/db");
    let (line, message, _) = only_error(&report, &estate.shown("app/.env"));
    assert_eq!(line, Some(2));
    assert!(message.contains("UTF-8"), "{message}");
    let (line, message, _) = only_error(&report, &estate.shown("api/.env"));
    assert_eq!(
        (line, message.as_str()),
        (
            Some(1),
            "`TAG`: the value's \" quote is never closed (the project's variables are taken as unset)"
        )
    );
    // Both projects are assessed with the defaults written in their files.
    assert_eq!(workload(&report, "web").name, "app/web");
    assert_eq!(workload(&report, "api").name, "api/api");
}

// ---------------------------------------------------------------------------------------
// CSAR archives: read in memory, bounded, never extracted

use common::csar::{Field, patch, replace, zip_entries};

/// The appliance fixture package's entries, and `extra` ones, as (name, bytes).
fn appliance_entries(extra: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
    let package = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/vnf/fixtures/appliance");
    let mut entries: Vec<(String, Vec<u8>)> = [
        "TOSCA-Metadata/TOSCA.meta",
        "Definitions/appliance_top.yaml",
        "Definitions/appliance_types.yaml",
        "Definitions/appliance_df.yaml",
    ]
    .iter()
    .map(|n| {
        let bytes = std::fs::read(package.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
        (n.to_string(), bytes)
    })
    .collect();
    entries.extend(extra.iter().map(|(n, b)| (n.to_string(), b.to_vec())));
    entries
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    zip_entries(&borrowed)
}

/// The appliance package with `extra` entries, zipped.
fn appliance_csar(extra: &[(&str, &[u8])]) -> Vec<u8> {
    zip_of(&appliance_entries(extra))
}

/// The errors of the archive `name` and of its entries, as `file: message` with the file
/// relative to the estate.
fn archive_errors(estate: &Estate, report: &Report, name: &str) -> Vec<String> {
    let root = format!("{}/", estate.root().display());
    report
        .errors
        .iter()
        .filter(|e| e.file.contains(name))
        .map(|e| {
            let file = e.file.strip_prefix(&root).unwrap_or(&e.file);
            let message = e.message.replace(&root, "");
            match e.line {
                Some(line) => format!("{file}:{line}: {message}"),
                None => format!("{file}: {message}"),
            }
        })
        .collect()
}

/// Each archive's errors are exactly the ones given.
fn assert_archive_errors(estate: &Estate, report: &Report, expected: &[(&str, &[&str])]) {
    for (archive, errors) in expected {
        assert_eq!(
            archive_errors(estate, report, archive),
            *errors,
            "{archive}"
        );
    }
}

fn assert_appliance_assessed(report: &Report, archive: &str) {
    assert!(
        report
            .workloads
            .iter()
            .any(|w| w.name == "Legacy SBC/standard" && w.file.contains(archive)),
        "the package in {archive} was not assessed: {:?}",
        report.errors
    );
}

#[test]
fn a_csar_zip_bomb_is_refused_by_its_declared_size_and_by_what_it_holds() {
    let estate = Estate::new();
    let zeros = vec![b' '; 2 * 1024 * 1024];
    let bomb = appliance_csar(&[("Definitions/bomb.yaml", &zeros)]);
    assert!(
        bomb.len() < 64 * 1024,
        "deflate squeezes it: {}",
        bomb.len()
    );
    estate.write("bomb.csar", &bomb);
    // Three entries under the per-entry limit that together exceed it.
    let third = vec![b'#'; 400 * 1024];
    estate.write(
        "heavy.csar",
        &appliance_csar(&[
            ("Files/a.yaml", &third),
            ("Files/b.yaml", &third),
            ("Files/c.yaml", &third),
        ]),
    );
    // An entry whose headers declare 64 bytes and which inflates to megabytes.
    let mut liar = appliance_csar(&[("Files/liar.yaml", &zeros)]);
    patch(&mut liar, "Files/liar.yaml", Field::Size, 64);
    estate.write("liar.csar", &liar);
    let report = estate.scan_limited(1024 * 1024);
    assert_archive_errors(
        &estate,
        &report,
        &[
            (
                "bomb.csar",
                &[
                    "bomb.csar!/Definitions/bomb.yaml: skipped: 2097152 bytes uncompressed is larger than the 1048576 byte limit (--max-file-size)",
                ],
            ),
            (
                "heavy.csar",
                &[
                    "heavy.csar: stopped reading at `Files/c.yaml`: the entries read add up to more than the 1048576 byte limit (--max-file-size), which holds for an archive's entries together",
                ],
            ),
            (
                "liar.csar",
                &[
                    "liar.csar!/Files/liar.yaml: cannot read: File is larger than its declared uncompressed size",
                ],
            ),
        ],
    );
    // The package beside the bomb is still assessed, as it is in a folder.
    assert_appliance_assessed(&report, "bomb.csar");
}

#[test]
fn a_csar_carrying_an_image_larger_than_the_file_limit_is_read_in_place() {
    let estate = Estate::new();
    // 3 MiB that do not compress, as a VM image does not.
    let mut state: u32 = 1;
    let image: Vec<u8> = (0..3 * 1024 * 1024)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let archive = appliance_csar(&[("Artifacts/Images/sbc.qcow2", &image)]);
    assert!(archive.len() > 3 * 1024 * 1024);
    estate.write("sbc.csar", &archive);
    let report = estate.scan_limited(1024 * 1024);
    assert_archive_errors(&estate, &report, &[("sbc.csar", &[])]);
    assert_appliance_assessed(&report, "sbc.csar");
}

#[test]
fn a_csar_with_a_million_entries_is_refused_before_it_is_parsed() {
    let estate = Estate::new();
    let names: Vec<String> = (0..10_001).map(|i| format!("f{i}")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    estate.write("many.csar", &zip_entries(&entries));
    let report = estate.scan();
    assert_eq!(
        archive_errors(&estate, &report, "many.csar"),
        ["many.csar: the archive lists 10001 entries, more than the 10000 fitscan reads"]
    );
}

#[test]
fn csar_entries_and_imports_that_climb_out_are_never_read() {
    let estate = Estate::new();
    // A YAML file beside the archive that a climbing import would reach on disk.
    estate.write(
        "secret.yaml",
        b"tosca_definitions_version: tosca_simple_yaml_1_3\n",
    );
    let package = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/vnf/fixtures/appliance");
    let top = std::fs::read_to_string(package.join("Definitions/appliance_top.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(top.contains("  - appliance_types.yaml\n"), "{top}");
    let mut entries = appliance_entries(&[
        ("../../etc/passwd.yaml", b"a: 1\n"),
        ("/etc/hosts.yaml", b"a: 1\n"),
    ]);
    for (name, bytes) in &mut entries {
        if name == "Definitions/appliance_top.yaml" {
            *bytes = top
                .replace(
                    "  - appliance_types.yaml\n",
                    "  - appliance_types.yaml\n  - ../../secret.yaml\n",
                )
                .into_bytes();
        }
    }
    // A link entry: never followed (as in a walk) nor read as a file, which its target
    // text, were it read as YAML, would show by a parse error.
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    estate.write(
        "climb.csar",
        &common::csar::zip_entries_and_links(
            &borrowed,
            &[("Definitions/host.yaml", "tosca_definitions_version: [")],
        ),
    );
    let report = estate.scan();
    let line = top
        .lines()
        .position(|l| l == "  - appliance_types.yaml")
        .map_or(0, |i| i + 2);
    assert_eq!(
        archive_errors(&estate, &report, "climb.csar"),
        [
            "climb.csar: entry `../../etc/passwd.yaml` points outside the archive (an absolute path or `..`): never read".to_string(),
            "climb.csar: entry `/etc/hosts.yaml` points outside the archive (an absolute path or `..`): never read".to_string(),
            format!("climb.csar!/Definitions/appliance_top.yaml:{line}: import `../../secret.yaml` leaves the CSAR archive; fitscan follows only imports inside it"),
        ]
    );
    assert_appliance_assessed(&report, "climb.csar");
    // Nothing was written anywhere: the estate holds what the test wrote, no more.
    let mut files: Vec<String> = std::fs::read_dir(estate.root())
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| {
            e.map(|e| e.file_name().to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    files.sort();
    assert_eq!(files, ["climb.csar", "good.yaml", "secret.yaml"]);
}

#[test]
fn csar_entries_that_cannot_be_read_are_named() {
    let estate = Estate::new();
    let mut encrypted = appliance_csar(&[("Files/secret.yaml", b"a: 1\n")]);
    patch(&mut encrypted, "Files/secret.yaml", Field::Flags, 1);
    estate.write("encrypted.csar", &encrypted);
    let mut bzip2 = appliance_csar(&[("Files/packed.yaml", b"a: 1\n")]);
    patch(&mut bzip2, "Files/packed.yaml", Field::Method, 12);
    estate.write("bzip2.csar", &bzip2);
    let mut latin1 = appliance_csar(&[("Files/caf\u{e9}.yaml", b"a: 1\n")]);
    replace(&mut latin1, "caf\u{e9}".as_bytes(), b"caf\xff\xfe");
    estate.write("latin1.csar", &latin1);
    let mut twice = appliance_csar(&[("Files/one.yaml", b"a: 1\n"), ("Files/two.yaml", b"b: 2\n")]);
    replace(&mut twice, b"Files/two.yaml", b"Files/one.yaml");
    estate.write("twice.csar", &twice);
    // The same entry under two spellings of its name.
    estate.write(
        "spelled-twice.csar",
        &appliance_csar(&[
            ("Files/one.yaml", b"a: 1\n"),
            ("./Files//one.yaml", b"b: 2\n"),
        ]),
    );
    estate.write(
        "nested.csar",
        &appliance_csar(&[("Artifacts/inner.csar", &appliance_csar(&[]))]),
    );
    let report = estate.scan();
    assert_archive_errors(
        &estate,
        &report,
        &[
            (
                "encrypted.csar",
                &[
                    "encrypted.csar!/Files/secret.yaml: encrypted: fitscan takes no passwords, so it is not read",
                ],
            ),
            (
                "bzip2.csar",
                &[
                    "bzip2.csar!/Files/packed.yaml: compressed with Bzip2, which fitscan does not read (only stored and deflate, as SOL004 packages use)",
                ],
            ),
            (
                "latin1.csar",
                &[
                    "latin1.csar: entry `Files/caf\u{fffd}\u{fffd}.yaml`: its name is not UTF-8, so it is not read",
                ],
            ),
            (
                "/twice.csar",
                &[
                    "twice.csar: the archive lists an entry name twice: which copy a VNF manager would read is ambiguous, so none is read",
                ],
            ),
            (
                "spelled-twice.csar",
                &[
                    "spelled-twice.csar!/Files/one.yaml: appears twice in the archive: the first entry is read",
                ],
            ),
            (
                "nested.csar",
                &[
                    "nested.csar!/Artifacts/inner.csar: an archive inside the archive is not read: unzip the outer one to scan it",
                ],
            ),
        ],
    );
    for archive in [
        "encrypted.csar",
        "bzip2.csar",
        "latin1.csar",
        "spelled-twice.csar",
        "nested.csar",
    ] {
        assert_appliance_assessed(&report, archive);
    }
}

#[test]
fn broken_and_malformed_csar_packages() {
    let estate = Estate::new();
    let whole = appliance_csar(&[]);
    estate.write("truncated.csar", &whole[..whole.len() / 2]);
    estate.write("empty.csar", &zip_entries(&[]));
    estate.write("garbage.csar", b"PK\x03\x04 not really a zip");
    let mut meta = appliance_entries(&[]);
    meta[0].1 = b"TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-By: vendor\nEntry-Definitions: Definitions/missing.yaml\n".to_vec();
    estate.write("missing-entry.csar", &zip_of(&meta));
    meta[0].1 = b"TOSCA-Meta-File-Version: 1.0\nEntry-Definitions: ../../../etc/passwd\n".to_vec();
    estate.write("climbing-entry.csar", &zip_of(&meta));
    let tosca = b"tosca_definitions_version: tosca_simple_yaml_1_3\n";
    estate.write(
        "two-roots.csar",
        &zip_entries(&[("a.yaml", tosca), ("b.yaml", tosca), ("b.mf", b"x\n")]),
    );
    let report = estate.scan();
    let truncated = archive_errors(&estate, &report, "truncated.csar");
    assert_eq!(truncated.len(), 1, "{truncated:?}");
    assert!(
        truncated[0]
            .starts_with("truncated.csar: not a readable zip archive (truncated or corrupt?): "),
        "{truncated:?}"
    );
    let garbage = archive_errors(&estate, &report, "garbage.csar");
    assert!(
        garbage.len() == 1 && garbage[0].starts_with("garbage.csar: not a readable zip archive"),
        "{garbage:?}"
    );
    assert_archive_errors(
        &estate,
        &report,
        &[
            (
                "empty.csar",
                &["empty.csar: an empty archive: no VNF package in it"],
            ),
            (
                "missing-entry.csar",
                &[
                    "missing-entry.csar!/TOSCA-Metadata/TOSCA.meta:4: Entry-Definitions names `Definitions/missing.yaml` (missing-entry.csar!/Definitions/missing.yaml), which does not exist",
                ],
            ),
            (
                "climbing-entry.csar",
                &[
                    "climbing-entry.csar!/TOSCA-Metadata/TOSCA.meta:2: Entry-Definitions `../../../etc/passwd` leaves the CSAR archive; it must name a file inside it",
                ],
            ),
            (
                "two-roots.csar",
                &[
                    "two-roots.csar: no TOSCA-Metadata/TOSCA.meta, and 2 YAML files at the archive's root (a.yaml, b.yaml): SOL004 wants exactly one, the entry definitions; each is read as in an unzipped folder",
                ],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Fuzzing finds

#[test]
fn a_workbook_with_an_overflowing_cell_reference_is_a_parse_error() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile/RVTools_export-cell-reference-overflow.xlsx");
    let report = scan(std::slice::from_ref(&file), &ScanOptions::default())
        .unwrap_or_else(|e| panic!("scan: {e}"));
    let (line, message, rule) = only_error(&report, &file.display().to_string());
    assert_eq!((line, rule), (None, "parse-error"));
    // calamine panics on the overflow where overflow checks are on (this debug build), and
    // wraps and then finds a bad character where they are off (release builds).
    assert!(
        message
            == "not a readable .xlsx workbook: the spreadsheet reader failed on a malformed part (a cell reference out of range?)"
            || message.starts_with("sheet vInfo: Expecting alphanumeric character"),
        "{message}"
    );
    assert!(report.workloads.is_empty());
}

/// Every input the fuzzers found a bug with (tests/fixtures/hostile/, see fuzz/README.md),
/// scanned named on the command line: each gives a clear error or workloads, never a panic.
#[test]
fn regression_inputs_from_fuzzing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let report = scan(std::slice::from_ref(&file), &ScanOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for e in &report.errors {
            assert!(!e.message.contains("internal error"), "{e}");
        }
        assert!(
            !report.workloads.is_empty() || !report.errors.is_empty(),
            "{}: neither a workload nor an error",
            file.display()
        );
    }
}

// ---------------------------------------------------------------------------------------
// The parallel scan

/// The default rules' fixtures, one folder per target.
const RULE_FIXTURES: [&str; 5] = [
    "rules/compose/fixtures",
    "rules/dockerfile/fixtures",
    "rules/kubernetes/fixtures",
    "rules/vm/fixtures",
    "rules/vnf/fixtures",
];

#[test]
fn one_worker_or_four_give_the_same_report_byte_for_byte() {
    let run = |jobs: &str| {
        let out = Command::cargo_bin("fitscan")
            .unwrap_or_else(|e| panic!("binary: {e}"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["scan", "samples", "--format", "json"])
            .args(RULE_FIXTURES)
            .args(["--fail-on", "never", "--jobs", jobs])
            .output()
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let one = run("1");
    assert!(one.len() > 10_000);
    assert!(one == run("4"), "--jobs 1 and --jobs 4 differ");
    assert!(one == run("2"), "--jobs 1 and --jobs 2 differ");
}

#[test]
fn gitignore_is_honoured_unless_no_ignore() {
    let estate = Estate::new();
    estate.write(".gitignore", b"generated/\n*.tmp.yaml\n");
    estate.write(
        "generated/vm.yaml",
        GOOD_VM.replace("good", "generated").as_bytes(),
    );
    estate.write(
        "scratch.tmp.yaml",
        GOOD_VM.replace("good", "scratch").as_bytes(),
    );
    estate.write(
        ".hidden/vm.yaml",
        GOOD_VM.replace("good", "hidden").as_bytes(),
    );
    let report = estate.scan();
    assert_eq!(workload_names(&report), ["good"]);
    let all = estate.scan_with(
        &[estate.root().to_path_buf()],
        ScanOptions {
            no_ignore: true,
            ..ScanOptions::default()
        },
    );
    let mut names = workload_names(&all);
    names.sort_unstable();
    // Hidden folders stay out either way, as in ripgrep.
    assert_eq!(names, ["generated", "good", "scratch"]);
}

// ---------------------------------------------------------------------------------------
// Nothing leaves in silence: every file found is a workload, an error or a skip with its
// reason

fn skips_of<'a>(report: &'a Report, file: &str) -> Vec<&'a str> {
    report
        .skipped
        .iter()
        .filter(|s| s.file == file)
        .map(|s| s.reason.as_str())
        .collect()
}

const PRIVILEGED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: miner
  namespace: prod
  ownerReferences:
    - {apiVersion: example.com/v1, kind: Miner, name: m, uid: 1234, controller: true}
spec:
  containers: [{name: c, image: 'x:1', securityContext: {privileged: true}}]
";

#[test]
fn an_owner_reference_hides_a_pod_only_when_its_owner_is_in_the_scan() {
    let estate = Estate::new();
    // The owner (a custom resource) is not in the scan: the pod is assessed on its own.
    estate.write("pod.yaml", PRIVILEGED_POD.as_bytes());
    // A `kubectl get all -o yaml` export: the pods of a ReplicaSet of a Deployment are
    // instances of the Deployment; an operator-managed Deployment (owned by a custom
    // resource, which is not a workload) is assessed.
    estate.write(
        "export.yaml",
        b"apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: prod, uid: d-1}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: 'web:1'}]}
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata:
      name: web-7d9c
      namespace: prod
      uid: rs-1
      ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}]
    spec:
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: 'web:1'}]}
  - apiVersion: v1
    kind: Pod
    metadata:
      name: web-7d9c-x2x
      namespace: prod
      ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, uid: rs-1, controller: true}]
    spec: {containers: [{name: web, image: 'web:1'}]}
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: prometheus-operated
      namespace: prod
      ownerReferences: [{apiVersion: monitoring.coreos.com/v1, kind: Prometheus, name: k8s, controller: true}]
    spec:
      template:
        spec: {containers: [{name: prometheus, image: 'prom:2'}]}
  - apiVersion: monitoring.coreos.com/v1
    kind: Prometheus
    metadata: {name: k8s, namespace: prod}
    spec: {replicas: 2}
",
    );
    let report = estate.scan();
    let mut names: Vec<&str> = report.workloads.iter().map(|w| w.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["good", "prod/miner", "prod/prometheus-operated", "prod/web"]
    );
    let miner = report
        .workloads
        .iter()
        .find(|w| w.name == "prod/miner")
        .unwrap_or_else(|| panic!("the pod left the report"));
    assert!(
        miner
            .findings
            .iter()
            .any(|f| f.severity == fitscan::model::Severity::Error),
        "the privileged pod's findings: {:?}",
        miner.findings
    );
}

#[cfg(unix)]
#[test]
fn a_walked_file_whose_name_is_not_utf8_is_read_under_an_escaped_name() {
    use std::os::unix::ffi::OsStrExt;
    let estate = Estate::new();
    let spec = GOOD_VM.replace("good", "latin1");
    for name in [&b"caf\xe9.yaml"[..], &b"caf\xe8.yaml"[..]] {
        let path = estate.root().join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(&path, spec.as_bytes()).unwrap_or_else(|e| panic!("write: {e}"));
    }
    let report = estate.scan();
    let mut files: Vec<String> = report
        .workloads
        .iter()
        .filter(|w| w.name == "latin1")
        .map(|w| w.file.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    files.sort();
    assert_eq!(files, ["caf\\xe8.yaml", "caf\\xe9.yaml"]);
}

#[test]
fn a_templated_yaml_file_is_read_where_it_parses_and_skipped_with_the_reason_elsewhere() {
    let estate = Estate::new();
    // A valid first document, a template after it.
    estate.write(
        "chart/templates/all.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: first}\nspec: {containers: [{name: c, image: 'x:1'}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n{{ include \"labels\" . | indent 4 }}\n",
    );
    // Only template.
    estate.write(
        "chart/templates/svc.yaml",
        b"apiVersion: v1\nkind: Service\nmetadata:\n{{- with .Values.x }}\n  name: {{ . }}\n{{- end }}\n",
    );
    let report = estate.scan();
    let all = estate.shown("chart/templates/all.yaml");
    assert_no_error(&report, &all);
    assert!(report.workloads.iter().any(|w| w.name == "default/first"));
    assert_eq!(
        skips_of(&report, &all),
        [
            "the document from line 5: Helm/Go template, render it first (helm template ...) and scan the output"
        ]
    );
    let svc = estate.shown("chart/templates/svc.yaml");
    assert_no_error(&report, &svc);
    assert_eq!(
        skips_of(&report, &svc),
        ["Helm/Go template, render it first (helm template ...) and scan the output"]
    );
}

#[test]
fn every_file_found_is_a_workload_an_error_or_a_skip_with_its_reason() {
    let estate = Estate::new();
    estate.write(
        "package.json",
        b"{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
    );
    estate.write(
        "rbac.yaml",
        b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n",
    );
    estate.write("page.ovf", b"<HTML><BODY>Error 404</BODY></HTML>\n");
    estate.write("inventory.csv", b"a,b\n1,2\n");
    estate.write(
        "empty.ovf",
        b"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"/>\n",
    );
    let report = estate.scan();
    assert_eq!(workload_names(&report), ["good"]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let not_recognised = fitscan::ingest::NOT_RECOGNISED;
    for (file, reason) in [
        ("package.json", not_recognised),
        (
            "rbac.yaml",
            "no workload in it (kubernetes ClusterRole: not workloads, and not joined to one)",
        ),
        ("page.ovf", not_recognised),
        ("inventory.csv", not_recognised),
        (
            "empty.ovf",
            "the OVF envelope describes no VirtualSystem: nothing to assess",
        ),
    ] {
        assert_eq!(skips_of(&report, &estate.shown(file)), [reason], "{file}");
    }
    assert_eq!(report.summary.skipped_files, 5);
    assert_eq!(report.skipped.len(), 5);
}

#[test]
fn ovf_systems_and_inventory_rows_without_a_size_are_workloads_with_evidence_needed() {
    let estate = Estate::new();
    estate.write(
        "nosize.ovf",
        b"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\">\n<VirtualSystem><Name>bare</Name>\n<VirtualHardwareSection><Info>x</Info></VirtualHardwareSection>\n</VirtualSystem>\n</Envelope>\n",
    );
    estate.write(
        "RVTools_tabvInfo.csv",
        b"VM,Powerstate,CPUs,Memory,OS according to the configuration file\nnocpu,poweredOn,,4096,RHEL 9\nnomem,poweredOn,2,,RHEL 9\n",
    );
    let report = estate.scan();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    for name in ["bare", "nocpu", "nomem"] {
        let w = report
            .workloads
            .iter()
            .find(|w| w.name == name)
            .unwrap_or_else(|| panic!("{name} is not a workload"));
        assert!(
            !w.evidence_needed.is_empty(),
            "{name}: its size is evidence needed"
        );
    }
}

fn cli() -> Command {
    Command::cargo_bin("fitscan").unwrap_or_else(|e| panic!("binary: {e}"))
}

#[test]
fn a_scan_that_finds_no_workload_is_a_usage_error_unless_allowed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(dir.path().join("notes.yaml"), b"a: 1\n").unwrap_or_else(|e| panic!("{e}"));
    let out = cli()
        .args(["scan", "--no-config"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no workloads found in ")
            && stderr.contains("1 file(s) skipped")
            && stderr.contains("--allow-empty"),
        "{stderr}"
    );
    let out = cli()
        .args(["scan", "--no-config", "--allow-empty", "--verbose"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\nSkipped\n") && stdout.contains("notes.yaml: not a recognised input"),
        "{stdout}"
    );
    assert!(stdout.contains("1 file(s) skipped"), "{stdout}");
}

// ---------------------------------------------------------------------------------------
// Output hygiene

#[test]
fn control_characters_are_escaped_in_the_table_and_on_stderr() {
    let estate = Estate::new();
    estate.write(
        "evil.yaml",
        GOOD_VM
            .replace(
                "{ name: good }",
                &format!("{{ name: \"evil{}\" }}", "\\e]0;pwned\\a\\e[2J"),
            )
            .as_bytes(),
    );
    estate.write(
        "broken\u{1b}[2J.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: x\n",
    );
    let out = cli()
        .args(["scan", "--no-config", "--fail-on", "error"])
        .arg(estate.root())
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(
        stdout.contains("evil\\x1b]0;pwned\\x07\\x1b[2J"),
        "{stdout}"
    );
    assert!(stderr.contains("broken\\x1b[2J.yaml"), "{stderr}");
}

#[test]
fn a_closed_pipe_ends_the_scan_quietly() {
    use std::process::Stdio;
    for format in ["json", "table"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fitscan"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "scan",
                "samples",
                "--no-config",
                "--fail-on",
                "never",
                "-f",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("run: {e}"));
        // The reader goes away before anything is written (`| head -0`).
        drop(child.stdout.take());
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{format}: {stderr}");
    }
}

#[test]
fn jobs_are_capped() {
    let start = std::time::Instant::now();
    let out = cli()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "scan",
            "samples/vms",
            "--no-config",
            "--fail-on",
            "never",
            "-q",
        ])
        .args(["-j", "20000"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("-j 20000 is more worker threads than fitscan runs: using 256"),
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn rules_test_reads_a_bare_file_name() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(
        dir.path().join("acme.yaml"),
        "rules:\n  - id: ACME001\n    target: vm\n    level: optimised\n    severity: warning\n    title: Too big\n    message: \"{name} is big\"\n    remediation: Make it smaller.\n    when: { path: facts.current.vcpu, gt: 8 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("fixtures")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("fixtures/big.yaml"),
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: big }\nspec: { platform: vsphere, os: RHEL 9, cpu: { vcpus: 16 }, memory: 8GB }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("fixtures/small.yaml"),
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: small }\nspec: { platform: vsphere, os: RHEL 9, cpu: { vcpus: 2 }, memory: 8GB }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("acme.test.yaml"),
        "cases:\n  - name: a big VM\n    files: [fixtures/big.yaml]\n    expect:\n      ACME001: { fires: 1 }\n  - name: a small VM\n    files: [fixtures/small.yaml]\n    expect:\n      ACME001: pass\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = cli()
        .current_dir(dir.path())
        .args(["rules", "test", "acme.test.yaml"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("cannot read rules"), "{text}");
    assert!(text.contains(", 0 failed"), "{text}");
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn rule_links_must_be_web_addresses() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let rules = dir.path().join("evil.yaml");
    std::fs::write(
        &rules,
        "rules:\n  - id: EVIL001\n    target: vm\n    level: optimised\n    severity: warning\n    title: Evil\n    message: \"{name}\"\n    remediation: none\n    links: ['javascript:alert(1)']\n    when: { path: facts.current.vcpu, gt: 8 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = cli()
        .args(["rules", "list", "--rules"])
        .arg(&rules)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`links`: `javascript:alert(1)` is not an http:// or https:// address"),
        "{stderr}"
    );
}

#[test]
fn anonymised_reports_keep_numbers_and_os_names_and_drop_e_mail_addresses() {
    let estate = Estate::new();
    estate.write(
        "vms.yaml",
        b"apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: '8' }\nspec: { platform: vsphere, os: RHEL 6, cpu: { vcpus: 8 }, memory: 8GB }\n---\napiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: RHEL }\nspec: { platform: vsphere, os: RHEL 6.10, cpu: { vcpus: 2 }, memory: 4GB }\n",
    );
    estate.write(
        "app/Dockerfile",
        b"FROM ubuntu:14.04\nMAINTAINER Jane Doe <jane.doe@example.com>\nRUN apt-get update\n",
    );
    let report = scan(
        &[estate.root().to_path_buf()],
        &ScanOptions {
            anonymise: Some(String::new()),
            jobs: 2,
            ..ScanOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("scan: {e}"));
    let json = fitscan::report::json::render(&report);
    assert!(!json.contains("jane.doe@example.com"), "the address stayed");
    assert!(json.contains("[e-mail removed]"));
    let messages: Vec<&str> = report
        .workloads
        .iter()
        .flat_map(|w| w.findings.iter())
        .filter(|f| &*f.rule == "VM012")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    for m in messages {
        assert!(m.starts_with("vm-") && m.contains(" runs RHEL 6"), "{m}");
    }
    for w in &report.workloads {
        assert!(w.id.ends_with(&w.name), "{} / {}", w.id, w.name);
    }
}
