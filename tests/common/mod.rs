//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test crate uses its part

pub mod amplify;
pub mod csar;

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;

/// A fresh temporary folder, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

/// Parses a JSON report; a failure shows the text.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The fitscan binary, run from the repository's root (where `samples/` and `rules/` are).
pub fn fitscan() -> Command {
    let mut cmd = Command::cargo_bin("fitscan").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Writes `text` to `dir/name` (creating folders) and returns the path as text.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write: {e}"));
    p.display().to_string()
}

/// Copies the folder `from` to `to`.
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_folder(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap_or_else(|e| panic!("copy: {e}"));
        }
    }
}

/// A finding (or suppressed finding) of a JSON report as `RULE file:line`.
pub fn rule_at(f: &serde_json::Value) -> String {
    format!(
        "{} {}:{}",
        f["rule"].as_str().unwrap_or(""),
        f["file"].as_str().unwrap_or(""),
        f["line"]
    )
}

/// Every finding of a JSON report, workload by workload.
pub fn findings_of(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["findings"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Whether the tests run in CI (`CI` set to anything but empty, `0` or `false`, as CI
/// services and `.ci/run` set it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A test that cannot run here because `what` is missing: in CI that is a failure naming
/// it (a skipped check passes, and CI must check everything); elsewhere a loud skip the
/// caller follows with `return`.
pub fn missing_prerequisite(test: &str, what: &str) {
    assert!(
        !in_ci(),
        "{test}: cannot run in CI: {what} (.ci/run must provide it)"
    );
    // Written to the stream itself: the test harness captures `eprintln!` of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** {test}: SKIPPED, NOT CHECKED: {what}.\n*** Under CI=true this is a failure.\n"
    );
}
