use super::*;
use crate::node::Value;

fn one(text: &str) -> Node {
    let mut docs = parse_documents(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
    assert_eq!(docs.len(), 1, "{text:?}");
    docs.remove(0)
}

fn scalar(text: &str) -> Value {
    one(&format!("v: {text}\n"))
        .get("v")
        .map(|n| n.value.clone())
        .unwrap_or(Value::Null)
}

fn err(text: &str) -> YamlError {
    match parse_documents(text) {
        Ok(docs) => panic!("{text:?} parsed: {docs:?}"),
        Err(e) => e,
    }
}

#[test]
fn values_carry_the_line_of_their_key() {
    let docs =
        parse_documents("a: 1\nb:\n  - x: [1, 2]\n    y: s\n---\nkind: Foo\n").unwrap_or_default();
    assert_eq!(docs.len(), 2);
    let b = docs[0].get("b").map(|n| n.line);
    assert_eq!(b, Some(2));
    let y = docs[0]
        .at("b")
        .and_then(|b| b.as_seq())
        .map(|s| s[0].get("y").map(|n| n.line));
    assert_eq!(y, Some(Some(4)));
    assert_eq!(docs[1].get("kind").map(|n| n.line), Some(6));
    // `y` and `on` are text under YAML 1.2, not booleans
    assert!(matches!(
        docs[0]
            .at("b")
            .and_then(|b| b.as_seq())
            .and_then(|s| s[0].as_map())
            .map(|m| m[1].key.as_str()),
        Some("y")
    ));
    let on = parse_documents("on: yes\n").unwrap_or_default();
    assert_eq!(
        on[0].get("on").map(|n| &n.value),
        Some(&Value::Str("yes".into()))
    );
}

#[test]
fn lines_and_columns_of_items_and_roots() {
    let doc = one("# comment\n\nlist:\n  - a\n  -   b\n  - k: v\n    j: w\n");
    assert_eq!(doc.line, 3);
    let items = doc.get("list").and_then(Node::as_seq).unwrap_or_default();
    let lines: Vec<u32> = items.iter().map(|n| n.line).collect();
    assert_eq!(lines, [4, 5, 6]);
    assert_eq!(items[1].column, 7);
    assert_eq!(items[2].get("j").map(|n| (n.line, n.column)), Some((7, 5)));
    assert_eq!(doc.get("list").map(|n| (n.line, n.column)), Some((3, 1)));
}

#[test]
fn malformed_yaml_names_the_line() {
    let e = err("a: 1\n---\nb: [1, 2\n---\nc: 3\n");
    assert!(e.message.starts_with("invalid YAML"), "{e:?}");
    assert!(matches!(e.line, Some(3 | 4)), "{e:?}");
    let e = err("a: 1\nb: 2\n  c: 3\n");
    assert_eq!(e.line, Some(3), "{e:?}");
    assert!(e.message.starts_with("invalid YAML: "), "{e:?}");
    let e = err("a:\n  - 1\n  - 2\n - 3\n");
    assert_eq!(e.line, Some(4), "{e:?}");
    let e = err("key: \"unterminated\n");
    assert!(e.message.starts_with("invalid YAML"), "{e:?}");
}

#[test]
fn alias_bomb_fails_fast() {
    let mut lines =
        vec![r#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#.to_string()];
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        lines.push(format!("a{i}: &a{i} [{refs}]"));
    }
    let started = std::time::Instant::now();
    let e = err(&lines.join("\n"));
    assert!(e.message.contains("expands too much"), "{e:?}");
    assert!(e.line.is_some_and(|l| l > 1), "{e:?}");
    // Refused before anything large is built.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn nested_anchors_cannot_copy_a_file_over_and_over() {
    // Each level anchors everything inside it: keeping a copy per anchor would be quadratic.
    let depth = 150;
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&format!("{}k{i}: &a{i}\n", "  ".repeat(i)));
    }
    text.push_str(&format!(
        "{}leaf: [{}]\n",
        "  ".repeat(depth),
        vec!["x"; 5000].join(",")
    ));
    let e = err(&text);
    assert!(e.message.contains("expands too much"), "{e:?}");
}

#[test]
fn deep_nesting_fails_fast() {
    let block = "- ".repeat(100_000) + "1\n";
    assert!(parse_documents(&block).is_err_and(|e| e.message.contains("too deep")));
    let flow = "[".repeat(100_000) + &"]".repeat(100_000);
    let e = err(&flow);
    assert!(e.message.contains("too deep"), "{e:?}");
    assert_eq!(e.line, Some(1));
    let json = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
    assert!(err(&json).message.contains("too deep"));
    let mapping: String = (0..3_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    assert!(err(&mapping).message.contains("too deep"));
}

#[test]
fn depth_limit_is_exact() {
    let ok = "[".repeat(200) + &"]".repeat(200);
    assert!(parse_documents(&ok).is_ok());
    let over = "[".repeat(201) + &"]".repeat(201);
    assert!(
        err(&over)
            .message
            .contains("too deep (more than 200 levels)")
    );
}

#[test]
fn duplicate_keys_keep_the_last() {
    let doc = one("a: 1\nb: 0\na: 2\n");
    assert_eq!(doc.get("a").and_then(Node::as_f64), Some(2.0));
    assert_eq!(doc.as_map().map(<[Entry]>::len), Some(2));
    assert_eq!(doc.as_map().map(|m| m[0].key.as_str()), Some("a"));
    assert_eq!(doc.get("a").map(|n| n.line), Some(3));
    // Many keys take the indexed path.
    let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("k7: last\n");
    let doc = one(&text);
    assert_eq!(doc.as_map().map(<[Entry]>::len), Some(40));
    assert_eq!(doc.get("k7").and_then(Node::as_str), Some("last"));
    assert_eq!(doc.as_map().map(|m| m[7].key.as_str()), Some("k7"));
}

#[test]
fn anchors_and_aliases_copy_the_node() {
    let doc = one("base: &b\n  cpu: 2\n  mem: 4Gi\nother: *b\nlist: [&x 7, *x, *x]\n");
    let other = doc.get("other");
    assert_eq!(
        other.and_then(|o| o.get("cpu")).and_then(Node::as_f64),
        Some(2.0)
    );
    // The alias sits on its key's line, and so does everything it copied.
    assert_eq!(other.map(|o| o.line), Some(4));
    assert_eq!(other.and_then(|o| o.get("mem")).map(|n| n.line), Some(4));
    assert_eq!(doc.at("base.mem").map(|n| n.line), Some(3));
    let list: Vec<f64> = doc
        .get("list")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_f64)
        .collect();
    assert_eq!(list, [7.0, 7.0, 7.0]);
}

#[test]
fn anchors_do_not_cross_documents() {
    let e = err("a: &x 1\n---\nb: *x\n");
    assert!(e.message.contains("anchor"), "{e:?}");
    assert_eq!(e.line, Some(3));
}

#[test]
fn an_alias_inside_its_own_anchor_is_refused() {
    let e = err("a: &x\n  b: *x\n");
    assert!(
        e.message.contains("cycle") || e.message.contains("anchor"),
        "{e:?}"
    );
}

#[test]
fn merge_keys() {
    let text = "\
defaults: &defaults
  restart: always
  image: base
  cpu: 1
extra: &extra
  cpu: 2
  debug: true
svc:
  <<: [*defaults, *extra]
  image: app
single:
  image: own
  <<: *defaults
";
    let doc = one(text);
    let svc = doc.get("svc");
    let get = |k: &str| svc.and_then(|s| s.get(k)).map(|n| n.value.clone());
    // Explicit keys win, then earlier merge sources.
    assert_eq!(get("image"), Some(Value::Str("app".into())));
    assert_eq!(get("cpu"), Some(Value::Int(1)));
    assert_eq!(get("debug"), Some(Value::Bool(true)));
    assert_eq!(get("restart"), Some(Value::Str("always".into())));
    assert!(svc.and_then(|s| s.get("<<")).is_none());
    let single = doc.get("single");
    assert_eq!(
        single.and_then(|s| s.get("image")).and_then(Node::as_str),
        Some("own")
    );
    // Merged values point at the `<<` that brought them in.
    assert_eq!(
        single.and_then(|s| s.get("restart")).map(|n| n.line),
        Some(13)
    );
    // A quoted "<<" is an ordinary key.
    let quoted = one("\"<<\": 1\n");
    assert_eq!(quoted.get("<<").and_then(Node::as_f64), Some(1.0));
    let e = err("a:\n  <<: 5\n");
    assert!(e.message.contains("merge key"), "{e:?}");
    assert_eq!(e.line, Some(2));
}

#[test]
fn tags() {
    let doc = one(
        "a: !!str 123\nb: !!int \"42\"\nc: !Ref some-resource\nd: ! 12\ne: !!null ''\nf: !custom [1]\ng: !!float 1\n",
    );
    let v = |k: &str| doc.get(k).map(|n| n.value.clone());
    assert_eq!(v("a"), Some(Value::Str("123".into())));
    assert_eq!(v("b"), Some(Value::Int(42)));
    assert_eq!(v("c"), Some(Value::Str("some-resource".into())));
    assert_eq!(v("d"), Some(Value::Str("12".into())));
    assert_eq!(v("e"), Some(Value::Null));
    assert!(matches!(v("f"), Some(Value::Seq(items)) if items.len() == 1));
    assert_eq!(doc.get("g").and_then(Node::as_f64), Some(1.0));
}

#[test]
fn documents_empty_null_and_scalar() {
    let docs = parse_documents(
        "---\n---\n# only a comment\n---\na: 1\n...\n---\nnull\n---\n~\n---\nhello\n",
    )
    .unwrap_or_default();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].get("a").map(|n| n.line), Some(5));
    assert_eq!(docs[1].value, Value::Str("hello".into()));
    assert_eq!(docs[1].line, 12);
    assert!(parse_documents("").is_ok_and(|d| d.is_empty()));
    assert!(parse_documents("# nothing\n").is_ok_and(|d| d.is_empty()));
    // A document that is a list where a mapping is usually expected is still a document.
    assert!(matches!(one("- a\n- b\n").value, Value::Seq(_)));
}

#[test]
fn block_scalars() {
    let doc =
        one("script: |\n  echo a\n  echo b\nfolded: >\n  one\n  two\nkeep: |+\n  x\n\nnext: 1\n");
    assert_eq!(
        doc.get("script").and_then(Node::as_str),
        Some("echo a\necho b\n")
    );
    assert_eq!(doc.get("folded").and_then(Node::as_str), Some("one two\n"));
    assert_eq!(doc.get("keep").and_then(Node::as_str), Some("x\n\n"));
    assert_eq!(doc.get("folded").map(|n| n.line), Some(4));
    assert_eq!(doc.get("next").map(|n| n.line), Some(10));
    // Quoted numbers stay text.
    assert_eq!(scalar("'5'"), Value::Str("5".into()));
    assert_eq!(scalar("\"true\""), Value::Str("true".into()));
}

#[test]
fn flow_collections_and_json() {
    let doc = one("{\"a\": [1, 2.5, \"3\", null, true], \"b\": {\"c\": {}}, \"d\": []}");
    let a = doc.get("a").and_then(Node::as_seq).unwrap_or_default();
    let values: Vec<Value> = a.iter().map(|n| n.value.clone()).collect();
    assert_eq!(
        values,
        [
            Value::Int(1),
            Value::Float(2.5),
            Value::Str("3".into()),
            Value::Null,
            Value::Bool(true)
        ]
    );
    assert!(matches!(doc.at("b.c").map(|n| &n.value), Some(Value::Map(m)) if m.is_empty()));
    let multi = one("{a: 1,\n b: [x,\n  y]}\n");
    assert_eq!(multi.get("b").map(|n| n.line), Some(2));
}

#[test]
fn scalars_by_the_core_schema() {
    assert_eq!(scalar("42"), Value::Int(42));
    assert_eq!(scalar("-7"), Value::Int(-7));
    assert_eq!(scalar("+7"), Value::Int(7));
    assert_eq!(scalar("0x1F"), Value::Int(31));
    assert_eq!(scalar("0o17"), Value::Int(15));
    assert_eq!(scalar("0b101"), Value::Int(5));
    assert_eq!(scalar("1_000"), Value::Int(1000));
    assert_eq!(scalar("0X1F"), Value::Str("0X1F".into()));
    assert_eq!(scalar("1.5"), Value::Float(1.5));
    assert_eq!(scalar("1e3"), Value::Float(1000.0));
    assert_eq!(scalar(".5"), Value::Float(0.5));
    assert_eq!(scalar("9223372036854775807"), Value::Int(i64::MAX));
    assert_eq!(scalar("-9223372036854775808"), Value::Int(i64::MIN));
    // Beyond 64 bits: a float, never a wrapped integer.
    assert_eq!(
        scalar("9223372036854775808"),
        Value::Float(9.223_372_036_854_776e18)
    );
    assert_eq!(
        scalar("123456789012345678901234567890123456789012345678901234567890"),
        Value::Float(1.234_567_890_123_456_8e59)
    );
    assert_eq!(
        scalar("-0x8000000000000001"),
        Value::Float(-9.223_372_036_854_776e18)
    );
    // Non-finite numbers stay text: never a size.
    for t in [
        ".inf", "-.inf", ".NaN", ".nan", "1e999", "-1e999", "nan", "inf", "-.nan",
    ] {
        assert_eq!(scalar(t), Value::Str(t.into()), "{t}");
    }
    assert_eq!(scalar("true"), Value::Bool(true));
    assert_eq!(scalar("FALSE"), Value::Bool(false));
    for t in [
        "yes", "no", "on", "off", "y", "n", "1.2.3", "1_", "0x", "+", ".", "0xZZ", "12abc",
    ] {
        assert_eq!(scalar(t), Value::Str(t.into()), "{t}");
    }
    assert_eq!(scalar("~"), Value::Null);
    assert_eq!(scalar("null"), Value::Null);
    assert_eq!(scalar(""), Value::Null);
    assert_eq!(scalar("0644"), Value::Int(644));
    assert_eq!(scalar("-0"), Value::Int(0));
}

#[test]
fn keys_are_text_whatever_they_were_written_as() {
    let doc = one("80: http\ntrue: t\n1.50: f\n~: n\n0x10: h\n");
    let keys: Vec<&str> = doc
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(keys, ["80", "true", "1.5", "null", "16"]);
    let e = err("? [a, b]\n: 1\n");
    assert!(e.message.contains("complex mapping keys"), "{e:?}");
    assert_eq!(e.line, Some(1));
}

#[test]
fn budgets_for_documents_and_nodes() {
    let small = Limits {
        max_documents: 3,
        max_nodes: 50,
        max_depth: 5,
        max_alias_nodes: 10,
    };
    let e = parse_documents_with("a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n", small).err();
    assert_eq!(
        e,
        Some(YamlError {
            line: Some(6),
            message: "too many YAML documents in one file (limit 3)".into()
        })
    );
    let many: String = (0..30).map(|i| format!("k{i}: {i}\n")).collect();
    let e = parse_documents_with(&many, small).err();
    assert!(e.is_some_and(|e| e.message == "too many YAML nodes in one file (limit 50)"));
    let e = parse_documents_with("a: [[[[[1]]]]]\n", small).err();
    assert!(e.is_some_and(|e| e.message.contains("more than 5 levels")));
    let e = parse_documents_with("a: &a [1, 2, 3]\nb: [*a, *a, *a, *a]\n", small).err();
    assert!(e.is_some_and(|e| e.message.contains("expands too much")));
}

#[test]
fn a_ten_thousand_document_bundle_reads() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  labels: {{app: a{i}}}\ndata:\n  key: value-{i}\n"
        ));
    }
    let docs = parse_documents(&text).unwrap_or_default();
    assert_eq!(docs.len(), 10_000);
    assert_eq!(
        docs[9_999].at("metadata.name").map(|n| n.line),
        Some(9_999 * 8 + 5)
    );
}

#[test]
fn a_tab_or_a_bom_or_crlf() {
    let doc = one("\u{feff}a: 1\r\nb:\r\n  - x\r\n");
    assert_eq!(doc.get("b").map(|n| n.line), Some(2));
    assert_eq!(
        doc.get("b").and_then(Node::as_seq).map(|s| s[0].line),
        Some(3)
    );
    assert!(err("a:\n\t- 1\n").message.starts_with("invalid YAML"));
}

/// The reader agrees with serde-saphyr, which fitscan used before, on every YAML file of the
/// project's fixtures and samples: same values (an integer and an equal float count as the
/// same), same lines.
#[test]
fn agrees_with_serde_saphyr_on_the_fixtures() {
    let mut compared = 0;
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // Each target's rule fixtures (`rules/<target>/fixtures/`), the samples, the tests' inputs.
    let mut roots: Vec<std::path::PathBuf> = std::fs::read_dir(repo.join("rules"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("fixtures"))
        .filter(|p| p.is_dir())
        .collect();
    roots.extend(["samples", "tests/fixtures"].map(|d| repo.join(d)));
    for root in roots {
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path.to_string_lossy().to_string();
                if !(name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Ok(old) = previous_reader(&text) else {
                    continue;
                };
                let new = parse_documents(&text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
                assert_eq!(new.len(), old.len(), "{name}");
                for (n, o) in new.iter().zip(&old) {
                    same(n, o, &name);
                }
                compared += 1;
            }
        }
    }
    assert!(compared > 30, "only {compared} files compared");
}

fn previous_reader(text: &str) -> Result<Vec<Node>, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: 200_000,
            max_nodes: 4_000_000,
            max_events: 12_000_000,
            max_depth: 200,
            max_aliases: 20_000,
            max_anchors: 20_000,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        strict_booleans: true,
        with_snippet: false,
    };
    serde_saphyr::from_multiple_with_options::<Node>(text, options)
}

fn same(new: &Node, old: &Node, file: &str) {
    assert_eq!(new.line, old.line, "{file}: line of {new:?} vs {old:?}");
    match (&new.value, &old.value) {
        (Value::Map(a), Value::Map(b)) => {
            let keys = |m: &[Entry]| m.iter().map(|e| e.key.clone()).collect::<Vec<_>>();
            assert_eq!(keys(a), keys(b), "{file}: keys at line {}", new.line);
            for (x, y) in a.iter().zip(b) {
                same(&x.value, &y.value, file);
            }
        }
        (Value::Seq(a), Value::Seq(b)) => {
            assert_eq!(a.len(), b.len(), "{file}: items at line {}", new.line);
            for (x, y) in a.iter().zip(b) {
                same(x, y, file);
            }
        }
        (Value::Int(i), Value::Float(f)) | (Value::Float(f), Value::Int(i)) => {
            assert_eq!(*i as f64, *f, "{file}: line {}", new.line);
        }
        (a, b) => assert_eq!(a, b, "{file}: line {}", new.line),
    }
}

#[test]
fn non_finite_numbers_no_longer_fail_the_file() {
    let text = "replicas: 1e999\nlimit: .inf\n";
    let before = previous_reader(text)
        .err()
        .map(|e| e.without_snippet().to_string());
    assert!(
        before.as_deref().is_some_and(|m| m.contains("non-finite")),
        "{before:?}"
    );
    let doc = one(text);
    assert_eq!(doc.get("replicas").and_then(Node::as_str), Some("1e999"));
    assert_eq!(doc.get("replicas").and_then(Node::as_f64), None);
}

#[test]
fn local_tags_are_kept_where_their_node_ends_up() {
    let text = "\
services:
  app:
    ports: !override
      - \"8443:443\"
    environment:
      FOO: !reset null
    labels: !reset {}
    !reset key: value
    image: !!str tagged-core
";
    let (docs, tags) = parse_documents_tagged(text).unwrap_or_else(|e| panic!("{e:?}"));
    let app = docs[0]
        .at("services.app")
        .unwrap_or_else(|| panic!("no app"));
    let at = |path: &str| app.at(path).map(|n| (n.line, n.column));
    let tagged: Vec<((u32, u32), &str)> = tags
        .iter()
        .map(|t| ((t.line, t.column), t.name.as_str()))
        .collect();
    assert_eq!(
        tagged,
        vec![
            (at("ports").unwrap_or_default(), "override"),
            (at("environment.FOO").unwrap_or_default(), "reset"),
            (at("labels").unwrap_or_default(), "reset"),
        ],
        "a tag on a key and core tags are not kept"
    );
    // The tree reads as if the tags were absent, and without asking for them none are kept.
    assert_eq!(parse_documents(text).ok(), Some(docs));
}
