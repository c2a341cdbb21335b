//! YAML (and JSON, which YAML reads) into located [`Node`] documents, with budgets that
//! stop alias bombs and runaway nesting while letting real 10,000-document bundles through.

use serde_saphyr::{DuplicateKeyPolicy, Options};

use crate::node::Node;

/// Why a YAML stream could not be read, and the line where it went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: Option<u32>,
    pub message: String,
}

fn options() -> Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: 200_000,
            max_nodes: 4_000_000,
            max_events: 12_000_000,
            max_depth: 200,
            max_aliases: 20_000,
            max_anchors: 20_000,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 200_000,
        },
        // Kubernetes and Compose tools accept a repeated key and keep the last value.
        duplicate_keys: DuplicateKeyPolicy::LastWins,
        // YAML 1.2 booleans only: `on:` and `y:` stay text, as in GitHub and Compose files.
        strict_booleans: true,
        with_snippet: false,
    }
}

/// Every non-empty document of a YAML stream, in order.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    serde_saphyr::from_multiple_with_options::<Node>(text, options()).map_err(to_yaml_error)
}

fn to_yaml_error(err: serde_saphyr::Error) -> YamlError {
    let line = err
        .location()
        .map(|l| l.line())
        .filter(|l| *l > 0)
        .map(|l| u32::try_from(l).unwrap_or(u32::MAX));
    let rendered = err.without_snippet().to_string();
    YamlError {
        line,
        message: humanise(&rendered),
    }
}

/// The library's message, without its own "at line N" suffix (reports print the line) and
/// with budget breaches said in words.
fn humanise(message: &str) -> String {
    let base = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    if base.contains("budget breached") {
        if base.contains("Depth") {
            return "YAML nesting is too deep (more than 200 levels); refusing to parse".into();
        }
        if base.contains("Alias") || base.contains("Events") || base.contains("Anchor") {
            return "YAML expands too much (alias bomb or oversized stream); refusing to parse"
                .into();
        }
        if base.contains("Documents") {
            return "too many YAML documents in one file (limit 200,000)".into();
        }
        if base.contains("Nodes") {
            return "too many YAML nodes in one file (limit 4,000,000)".into();
        }
        return format!("YAML exceeds a safety limit ({base})");
    }
    if base.contains("alias replay") || base.contains("replay limit") {
        return "YAML expands too much (alias bomb); refusing to parse".into();
    }
    if base.contains("recursion limit") {
        return "YAML nesting is too deep; refusing to parse".into();
    }
    format!("invalid YAML: {base}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Value;

    #[test]
    fn values_carry_the_line_of_their_key() {
        let docs = parse_documents("a: 1\nb:\n  - x: [1, 2]\n    y: s\n---\nkind: Foo\n")
            .unwrap_or_default();
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
    fn malformed_yaml_names_the_line() {
        let err = parse_documents("a: 1\n---\nb: [1, 2\n---\nc: 3\n").err();
        assert_eq!(err.as_ref().and_then(|e| e.line), Some(3));
        assert!(err.is_some_and(|e| e.message.starts_with("invalid YAML")));
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut lines =
            vec![r#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#.to_string()];
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(",");
            lines.push(format!("a{i}: &a{i} [{refs}]"));
        }
        let err = parse_documents(&lines.join("\n")).err();
        assert!(err.is_some_and(|e| e.message.contains("expands too much")));
    }

    #[test]
    fn deep_nesting_fails_fast() {
        let block = "- ".repeat(100_000) + "1\n";
        assert!(parse_documents(&block).is_err_and(|e| e.message.contains("too deep")));
        let flow = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(parse_documents(&flow).is_err_and(|e| e.message.contains("too deep")));
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        let docs = parse_documents("a: 1\na: 2\n").unwrap_or_default();
        assert_eq!(docs[0].get("a").and_then(Node::as_f64), Some(2.0));
    }
}
