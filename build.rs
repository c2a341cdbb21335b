//! Embeds the default rules (`rules/<target>/<ID>-<name>.yaml`, each with its test cases)
//! into the binary, so that `fitscan` needs no files besides itself, and their fixtures
//! (`rules/**/fixtures/**`, binary fixtures included; `*.test.yaml` files of a pack too), so
//! that `fitscan rules test` and the examples of `fitscan rules show` work from an installed
//! binary too. Other files (`rules/<target>/README.md`) are for readers only.

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Rule files (`*.yaml` outside `fixtures/`, not `*.test.yaml`), and test files and
/// fixtures.
#[derive(Default)]
struct Tree {
    rules: Vec<PathBuf>,
    tests: Vec<PathBuf>,
}

fn is_test(name: &str) -> bool {
    name.ends_with(".test.yaml") || name.ends_with(".test.yml")
}

fn collect(dir: &Path, in_fixtures: bool, out: &mut Tree) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, in_fixtures || name == "fixtures", out);
        } else if in_fixtures || is_test(&name) {
            out.tests.push(path);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.rules.push(path);
        }
    }
}

fn relative(root: &Path, f: &Path) -> String {
    f.strip_prefix(root)
        .unwrap_or(f)
        .to_string_lossy()
        .replace('\\', "/")
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rules_dir = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut tree = Tree::default();
    collect(&rules_dir, false, &mut tree);
    tree.rules.sort();
    tree.tests.sort();
    let mut code = String::from("pub static RULE_FILES: &[(&str, &str)] = &[\n");
    for f in &tree.rules {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            relative(&root, f),
            f.display().to_string()
        );
    }
    code.push_str("];\n\n");
    code.push_str("pub static RULE_TEST_FILES: &[(&str, &[u8])] = &[\n");
    for f in &tree.tests {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            code,
            "    ({:?}, include_bytes!({:?})),",
            relative(&root, f),
            f.display().to_string()
        );
    }
    code.push_str("];\n");
    // Folders too: a fixture added to an existing folder must rebuild the binary.
    let mut dirs = vec![rules_dir];
    while let Some(dir) = dirs.pop() {
        println!("cargo:rerun-if-changed={}", dir.display());
        if let Ok(entries) = std::fs::read_dir(&dir) {
            dirs.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("embedded_rules.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
