//! Property tests: every fixture and sample of the project, mutated at random (bytes flipped,
//! inserted, removed, repeated; YAML, CSV and Dockerfile syntax spliced in; truncated), is
//! read and assessed without a panic: the scan's panic guard is never reached. The fuzz
//! targets in `fuzz/` do this for hours; these cases run in every `cargo test`.

mod common;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use fitscan::rules::RuleSet;
use fitscan::source::SourceFile;
use proptest::prelude::*;

/// (file name, bytes) of every input the project ships.
static FIXTURES: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    // Each target's rule fixtures (`rules/<target>/fixtures/`), the samples, hostile inputs.
    let rule_fixtures = std::fs::read_dir(root.join("rules"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("fixtures"));
    for dir in rule_fixtures.chain(["samples", "tests/fixtures/hostile"].map(|d| root.join(d))) {
        collect(&dir, &mut out);
    }
    out.push(("RVTools_export_all.xlsx".to_string(), workbook()));
    // A VNF package as a CSAR: stored, so that mutations reach the YAML inside, and deflated.
    let package = root.join("rules/vnf/fixtures/appliance");
    for (name, method) in [
        ("stored.csar", zip::CompressionMethod::Stored),
        ("deflated.csar", zip::CompressionMethod::Deflated),
    ] {
        out.push((
            name.to_string(),
            common::csar::zip_folder_with(&package, method),
        ));
    }
    out.sort();
    out
});

static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    fitscan::rules::loader::load(true, &[]).unwrap_or_else(|e| panic!("default rules: {e}"))
});

fn collect(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Rule tests and docs are not inputs.
            if !name.ends_with(".md") && !name.ends_with(".test.yaml") {
                out.push((name, bytes));
            }
        }
    }
}

/// A small RVTools workbook, so that the xlsx reader gets mutated zips too.
fn workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.set_name("vInfo");
    let rows = [
        [
            "VM",
            "Powerstate",
            "CPUs",
            "Memory",
            "In Use MiB",
            "OS according to the configuration file",
        ],
        [
            "db-01",
            "poweredOn",
            "8",
            "65536",
            "409600",
            "CentOS 7 (64-bit)",
        ],
        [
            "web-01",
            "poweredOff",
            "2",
            "4096",
            "20480",
            "Ubuntu Linux (64-bit)",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            let _ = match cell.parse::<f64>() {
                Ok(n) if r > 0 => ws.write_number(r, c, n),
                _ => ws.write_string(r, c, *cell),
            };
        }
    }
    wb.save_to_buffer()
        .unwrap_or_else(|e| panic!("workbook: {e}"))
}

/// Text that makes parsers take unusual paths.
const SPLICES: &[&str] = &[
    "\n---\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    ": ",
    "\n- ",
    "\t",
    "\\\n",
    "\r\n",
    "\u{feff}",
    "\0",
    "!!str ",
    "!Ref ",
    "-1e999",
    ".nan",
    "99999999999999999999999",
    "-0",
    "# fitscan ignore=all\n",
    "FROM scratch AS a\n",
    "<<EOF\n",
    "${A:-${B}}",
    ",,,,,",
    ";",
    "<!DOCTYPE x [<!ENTITY e \"e\">]>",
    "&e;",
    "\u{1F600}",
];

#[derive(Debug, Clone)]
enum Edit {
    Flip { at: usize, byte: u8 },
    Insert { at: usize, byte: u8 },
    Remove { at: usize, len: usize },
    Repeat { at: usize, len: usize, times: usize },
    Splice { at: usize, text: usize },
    Truncate { at: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Flip { at, byte }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Insert { at, byte }),
        (any::<usize>(), 1..64usize).prop_map(|(at, len)| Edit::Remove { at, len }),
        (any::<usize>(), 1..64usize, 1..8usize).prop_map(|(at, len, times)| Edit::Repeat {
            at,
            len,
            times
        }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, text)| Edit::Splice { at, text }),
        any::<usize>().prop_map(|at| Edit::Truncate { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let len = bytes.len();
    let pos = |at: usize| if len == 0 { 0 } else { at % (len + 1) };
    match *edit {
        Edit::Flip { at, byte } => {
            if len > 0 {
                bytes[at % len] ^= byte.max(1);
            }
        }
        Edit::Insert { at, byte } => bytes.insert(pos(at), byte),
        Edit::Remove { at, len: n } => {
            let start = pos(at);
            let end = (start + n).min(len);
            bytes.drain(start..end);
        }
        Edit::Repeat { at, len: n, times } => {
            let start = pos(at);
            let end = (start + n).min(len);
            let piece = bytes[start..end].to_vec();
            for _ in 0..times {
                bytes.splice(end..end, piece.iter().copied());
            }
        }
        Edit::Splice { at, text } => {
            let at = pos(at);
            let text = SPLICES[text % SPLICES.len()].as_bytes();
            bytes.splice(at..at, text.iter().copied());
        }
        Edit::Truncate { at } => bytes.truncate(pos(at)),
    }
}

proptest! {
    // 256 cases in `cargo test`; PROPTEST_CASES=100000 for a longer run.
    #![proptest_config(ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            ProptestConfig::default().cases
        } else {
            256
        },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_fixtures_never_panic(pick in any::<usize>(), edits in prop::collection::vec(edit(), 1..6)) {
        let (name, original) = &FIXTURES[pick % FIXTURES.len()];
        let mut bytes = original.clone();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let mut file = SourceFile::from_text(name, "");
        file.bytes = bytes;
        let report = fitscan::assess_sources(&[file], &RULES, &fitscan::ScanOptions::default());
        for e in &report.errors {
            prop_assert!(!e.message.contains("internal error"), "{name} after {edits:?}: {e}");
        }
    }
}

#[test]
fn every_kind_of_input_is_among_the_fixtures() {
    let names: Vec<&str> = FIXTURES.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in [
        "Dockerfile",
        ".yaml",
        ".json",
        ".csv",
        ".ovf",
        ".xlsx",
        ".csar",
        "compose",
    ] {
        assert!(
            names.iter().any(|n| n.contains(wanted)),
            "no fixture for {wanted}: {names:?}"
        );
    }
}
