//! The common-subset reader against the full parser: wherever it reads a stream, the trees
//! (values, lines, columns, tags) must be the same, and it must read the files it exists for.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;

/// The common reader's result, or None where it gives up.
fn read_common(text: &str, keep_tags: bool) -> Option<(Vec<Node>, Vec<LocalTag>)> {
    let mut builder = Builder::new(LIMITS);
    builder.keep_tags = keep_tags;
    common::read(text, &mut builder).ok()?;
    Some(builder.finish())
}

/// Whether the common reader took `text`; panics when it read it differently.
fn agrees(text: &str, origin: &str) -> bool {
    let Some(common) = read_common(text, true) else {
        return false;
    };
    match parse_fully(text, LIMITS, true) {
        Ok(full) => assert!(
            common == full,
            "{origin}: the common reader differs from the full parser on\n{text}\ncommon: {common:#?}\nfull: {full:#?}"
        ),
        Err(e) => {
            panic!("{origin}: the common reader read what the full parser refuses ({e:?}):\n{text}")
        }
    }
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(path);
        }
    }
}

/// The same text in other clothes: Windows line breaks, no final line break, trailing
/// spaces, everything indented (inside a list).
fn variants(text: &str) -> Vec<String> {
    let mut out = vec![
        text.replace('\n', "\r\n"),
        text.trim_end_matches('\n').to_string(),
        text.replace('\n', "  \n"),
    ];
    if !text.contains("\n---") && !text.starts_with("---") {
        let mut listed = String::from("-\n");
        for line in text.lines() {
            listed.push_str("    ");
            listed.push_str(line);
            listed.push('\n');
        }
        out.push(listed);
    }
    out
}

#[test]
fn every_yaml_file_of_the_repository_reads_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "samples",
        "tests",
        "rules",
        "targets",
        "lifecycle",
        "examples",
    ] {
        yaml_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 200, "{} files", files.len());
    let (mut taken, mut seen) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let origin = file.display().to_string();
        seen += 1;
        let took = agrees(&text, &origin);
        if !took && std::env::var_os("FITSCAN_YAML_VERBOSE").is_some() {
            let mut builder = Builder::new(LIMITS);
            if let Err(e) = common::read(&text, &mut builder) {
                let line = text
                    .lines()
                    .nth((e.line as usize).saturating_sub(1))
                    .unwrap_or("");
                println!("full parser: {origin}:{} {line}", e.line);
            }
        }
        taken += usize::from(took);
        for variant in variants(&text) {
            agrees(&variant, &origin);
        }
    }
    // Most of them are what the common reader is for.
    assert!(
        taken * 10 >= seen * 6,
        "{taken} of {seen} files read by the common reader"
    );
}

#[test]
fn the_kubernetes_samples_take_the_common_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("samples"), &mut files);
    let manifests: Vec<_> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .filter(|t| t.contains("apiVersion:") && !t.contains('|') && !t.contains('&'))
        .collect();
    assert!(manifests.len() >= 5);
    for text in &manifests {
        assert!(read_common(text, false).is_some(), "gave up on\n{text}");
    }
}

#[test]
fn positions_and_values_of_the_edges() {
    let cases = [
        "a: 1\nb:\n  - x\n  -\n  - k: v\n    k2: v2\n  - - n1\n    - n2\nc:\n- i1\n-   # comment\n- \"q\"\n",
        "d: {x: 1, y: [a, b]}\ne:\nf: 'it''s'   # t\n",
        "- a\n-   \n- [a, \"b c\", {x: y}]\n- {}\n- []\n-\n",
        "---\n---\n- foo\n--- # c\n\"key\" : v\n",
        "a: b\r\nc:\r\n  - d\r\n  -\r\n",
        "name: caf\u{e9}\nlist: [\u{e9}t\u{e9}, x, {k: \u{e9}}]\n- \u{e9}\n",
        "- caf\u{e9}: [\u{e9}, {a: b}]\n- \"\u{e9}\": 'x'\n",
        "s: \"tab\\tnew\\nquote\\\" slash\\/ \\u00e9 \\x41\"\n",
        "k: |\n  line one\n    indented\n\n  three\n\nnext: 1\n",
        "k: |-\n  one\n  two\n\n\nn: 2\n",
        "k: |+\n  one\n\n\nn: 2\n",
        "a: >-\n  one\n  two\n\n  three\n    more\n  four\n\n\n  five\nb: >\n\n  x\n  y\n",
        "- >\n  folded\n   more\n\n  in a list\n- x\n",
        "- >-\n\n- |\n  \n  x\n",
        "a: [ etsivnfm:v4.4.1, x:y ]\nb: {k: a:b, u: http://x}\nc: [a:]\n",
        "k: |\nn: 2\n",
        "- |\n  in a list\n- |-\n   deeper\n- x\n",
        "- k: |\n    in a map in a list\n  j: 2\n",
        "  indented: root\n  more: 1\n",
        "url: http://example.com:8080/x#y\nimage: nginx:1.25 # pinned\nneg: -1\ncolon: a :b\n",
        "n: ~\nb: true\nf: 1.5\no: 0o17\nh: 0x1F\nt: True\ny: yes\nkey with spaces   : v\n",
        "dup: 1\ndup: 2\n80: http\ntrue: t\n",
        "<<: {a: 1}\nb: 2\n",
        "[a, b]\n",
        "{a: 1}\n",
        "plain root\n",
        "a: b: c\n",
        "a:\n  - x\n - y\n",
        "a: 1\n  b: 2\n",
        "- a\n  b\n",
        "a: [1, 2\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: >\n  folded\n",
        "a: \"multi\n  line\"\n",
        "? complex\n: v\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n",
        "a: [a, b,]\n",
        "a: {x, y}\n",
        "a: {\"j\":1, \"k\":[true,null]}\n",
        "a:\tb\n",
        "a: b\rc: d\n",
        "\u{feff}a: 1\n",
        "-\n  - a\n  -\n    b: 1\n",
        "a:\n\n  b: 1\n\n  c:\n\n    - 1\n",
        "# only a comment\n",
        "",
        "---\n",
        "--- \n# c\n---\na: 1\n",
        "a: 'x' # c\nb: \"y\"#z\n",
        "a: x #c\nb: x#c\n",
        "a: - b\n",
        "- - - deep\n    - two\n  - one\n- zero\n",
        // Found by the fuzz target: `...` ends a document wherever it starts a line.
        "# c\n... - { a: b, c: d }\n",
        "a:\n  b: 1\n...\n",
        "- x\n... # end\n",
        // Found by the fuzz target: an empty block scalar sits where the next token starts.
        "k:\n  - |   \n  -\n  - >-\n    # c\n  - x\n",
        "k:\n  - |\n  - |-\n# c\n  - x\n",
        // Found by the fuzz target: `-` before a flow indicator starts no plain scalar.
        "- { name: a, vcpu: -, memory: 8 }\n- [-, ?]\n- [-a, :b, ?c]\nk: -,\n",
    ];
    for case in cases {
        agrees(case, "case");
    }
    assert!(agrees(cases[0], "case") && agrees(cases[8], "case") && agrees(cases[4], "case"));
}

/// One line of many flow entries (a minified list), with characters of several bytes among
/// them: every column agrees, and columns are counted along the line once (a count from the
/// line's start for each of 20,000 entries would be 20,000 times the line).
#[test]
fn a_long_line_of_flow_entries() {
    let mut text = String::from("items: [");
    for i in 0..20_000 {
        if i > 0 {
            text.push_str(", ");
        }
        match i % 3 {
            0 => text.push_str(&format!("{{\"n\": {i}, \"s\": \"\u{e9}t\u{e9}\"}}")),
            1 => text.push_str(&format!("\"caf\u{e9} {i}\"")),
            _ => text.push_str(&format!("x{i}")),
        }
    }
    text.push_str("]\n");
    assert!(agrees(&text, "one long line"), "the common reader gave up");
}

/// Lines of YAML in and out of the subset, glued at random indentations: the common reader
/// must agree with the full parser on whatever it accepts, and never panic.
fn fragment() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a:",
        "a: 1",
        "b: x y",
        "- ",
        "- c",
        "- d: 2",
        "-",
        "key: [x, y]",
        "key: {p: q}",
        "k: \"s\\n\"",
        "k: 'q''q'",
        "# c",
        "",
        "---",
        "k: |",
        "k: |-",
        "k: |+",
        "text line",
        "  text",
        "k: v # c",
        "k: &a v",
        "k: *a",
        "\"q\": 1",
        "- [a, {b: c}]",
        "k: -1",
        "k: a:b",
        "k: >",
        "...",
        "k: [a,",
        "e: {}",
        "f: []",
        "- - x",
        "k: \u{e9}",
        "k:   ",
        "? x",
        ": y",
        "k: !t v",
        "k: \"a\" x",
        "k: 'unclosed",
        "k: [-, a]",
        "k: {a: -}",
        "- {a: b, c: d}",
        "k: [a:]",
        "k: x:y",
        "- >-",
        "folded text",
        "more  ",
    ]);
    (
        prop::collection::vec((0usize..5, pieces), 0..14),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf)| {
            let mut text = String::new();
            for (indent, piece) in lines {
                text.push_str(&" ".repeat(indent * 2));
                text.push_str(piece);
                text.push_str(if crlf { "\r\n" } else { "\n" });
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
    #[test]
    fn the_common_reader_agrees_with_the_full_parser(text in fragment()) {
        agrees(&text, "generated");
    }
}

/// `FITSCAN_YAML_DIR=../shared/corpus cargo test --lib common_reader_on_a_folder -- --ignored
/// --nocapture`: the same comparison over any folder, with how many files took each path.
#[test]
#[ignore = "reads a folder named by FITSCAN_YAML_DIR"]
fn common_reader_on_a_folder() {
    let Ok(dir) = std::env::var("FITSCAN_YAML_DIR") else {
        return;
    };
    let mut files = Vec::new();
    yaml_files(Path::new(&dir), &mut files);
    let (mut taken, mut seen) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        seen += 1;
        if agrees(&text, &file.display().to_string()) {
            taken += 1;
        } else {
            println!("full parser: {}", file.display());
        }
    }
    println!("{taken} of {seen} YAML files read by the common reader");
}
