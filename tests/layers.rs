//! The crate's layers: imports point down only (docs/architecture.md). Each top-level module
//! has a place in `ORDER`; a module may import only modules placed before it, so no import
//! circle spans two modules. Test code (`#[cfg(test)]` and `tests.rs` files) may reach up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom to top, by layer. Within a layer, a module may import those listed before it.
const ORDER: &[(&str, &[&str])] = &[
    (
        "vocabulary",
        &[
            "json_pretty",
            "json_once",
            "pattern",
            "node",
            "node_binary",
            "units",
            "yaml",
            "model",
            "source",
        ],
    ),
    (
        "stages",
        &[
            "clusters",
            "ingest",
            "sizing",
            "readiness",
            "lifecycle",
            "rules",
            "classify",
        ],
    ),
    ("the report's shape", &["assessment"]),
    ("pipeline", &["scan"]),
    ("outputs", &["report", "authoring"]),
    ("cli", &["config", "progress", "watch", "main"]),
];

/// What a `crate::` path names at the crate root that is not a module: the pipeline's
/// re-exports (`crate::ScanOptions`, `crate::scan`).
const ROOT_REEXPORTS_OF: &str = "scan";

fn rank(module: &str) -> Option<(usize, &'static str)> {
    let mut i = 0;
    for (layer, modules) in ORDER {
        for m in *modules {
            if *m == module {
                return Some((i, layer));
            }
            i += 1;
        }
    }
    None
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a source file belongs to (`src/scan/assess.rs` -> `scan`,
/// `src/main.rs` -> `main`); None for the crate root.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first.strip_suffix(".rs") {
        Some("lib") => None,
        Some(m) => Some(m.to_string()),
        None => Some(first.to_string()),
    }
}

/// The code outside test modules: everything before the first `#[cfg(test)]` followed by
/// a `mod` (unit tests sit at the end of a file by convention).
fn non_test_code(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]") {
        let at = from + i;
        let rest = text[at + "#[cfg(test)]".len()..].trim_start();
        if rest.starts_with("mod ") {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

/// Strips `//` comments (doc comments included) so that prose naming a module is not an
/// import.
fn without_comments(code: &str) -> String {
    code.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level name a `crate::` path in `code` starts with, with its line.
fn crate_paths(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c, D}`: may span lines; take what this line holds and
                // the following lines up to the closing brace.
                let mut text = group.to_string();
                let mut k = n + 1;
                let lines: Vec<&str> = code.lines().collect();
                while !text.contains('}') && k < lines.len() {
                    text.push_str(lines[k]);
                    k += 1;
                }
                let mut depth = 0;
                let mut item = String::new();
                for c in text.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.push((head(&item), n + 1));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 {
                        item.push(c);
                    }
                }
                if !item.trim().is_empty() {
                    out.push((head(&item), n + 1));
                }
            } else {
                out.push((head(rest), n + 1));
            }
        }
    }
    out.retain(|(h, _)| !h.is_empty());
    out
}

fn head(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The module a `crate::NAME` refers to: a module when lowercase and known, else one of the
/// crate root's re-exports.
fn target_module(name: &str) -> &str {
    if rank(name).is_some() {
        name
    } else {
        ROOT_REEXPORTS_OF
    }
}

#[test]
fn imports_point_down_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut unknown = Vec::new();
    let mut upward: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some((from, from_layer)) = rank(&module) else {
            unknown.push(module);
            continue;
        };
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        let code = without_comments(non_test_code(&text));
        for (name, line) in crate_paths(&code) {
            let target = target_module(&name);
            if target == module {
                continue;
            }
            let Some((to, to_layer)) = rank(target) else {
                continue;
            };
            if to > from {
                let shown = file.strip_prefix(root).unwrap_or(file).display();
                upward
                    .entry(format!("{module} ({from_layer}) -> {target} ({to_layer})"))
                    .or_default()
                    .push(format!("{shown}:{line}"));
            }
        }
    }
    unknown.sort();
    unknown.dedup();
    assert!(
        unknown.is_empty(),
        "modules with no place in tests/layers.rs ORDER (add them to their layer): {unknown:?}"
    );
    let report: Vec<String> = upward
        .iter()
        .map(|(edge, at)| format!("{edge}: {}", at.join(", ")))
        .collect();
    assert!(
        report.is_empty(),
        "imports that point up a layer (move the code down, or the type it needs):\n{}",
        report.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_plain_paths() {
    let code = "use crate::{model::{A, B}, node::Node};\nlet x = crate::scan::gate(1);\nlet y = crate::ScanOptions::default();\n// crate::report in a comment\n";
    let found: Vec<String> = crate_paths(&without_comments(code))
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    assert_eq!(found, ["model", "node", "scan", "ScanOptions"]);
    assert_eq!(target_module("ScanOptions"), "scan");
    assert_eq!(target_module("report"), "report");
}

/// The most lines a source file's code may hold (its unit tests aside): past it, a file
/// holds more than one concern and is split by concern.
const MAX_SOURCE_LINES: usize = 1000;

#[test]
fn no_source_file_is_over_the_line_budget() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let long: Vec<String> = files
        .iter()
        .filter(|f| f.file_name().is_none_or(|n| n != "tests.rs"))
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{e}"));
            let lines = non_test_code(&text).lines().count();
            (lines > MAX_SOURCE_LINES)
                .then(|| format!("{} ({lines})", f.strip_prefix(root).unwrap_or(f).display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "source files over {MAX_SOURCE_LINES} lines of code (split them by concern): {long:?}"
    );
}
