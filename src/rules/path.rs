//! Paths into a workload's document and facts: `spec.disks[*].size`, `metadata.labels.*`,
//! `metadata.annotations["fitscan.io/ignore"]`, `spec.containers[0].image`, `$.facts.vcpu`.
//!
//! A path that starts with `facts` reads the derived facts; any other path reads the
//! document. Inside `some`/`every`/`none` a path is relative to the element, and `$.`
//! reaches back to the workload's root.

use std::fmt;

use crate::node::{Node, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Key(String),
    Index(usize),
    /// `[*]` or `*`: every element of a list, every value of a mapping.
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub text: String,
    pub absolute: bool,
    pub segments: Vec<Segment>,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The two roots a top-level path can start from.
#[derive(Clone, Copy)]
pub struct Roots<'a> {
    pub doc: &'a Node,
    pub facts: &'a Node,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, String> {
        let original = text;
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err("empty path".into());
        }
        let mut absolute = false;
        if let Some(r) = rest.strip_prefix("$.") {
            absolute = true;
            rest = r;
        } else if rest == "$" {
            return Ok(Path {
                text: original.to_string(),
                absolute: true,
                segments: Vec::new(),
            });
        }
        let mut segments = Vec::new();
        let chars: Vec<char> = rest.chars().collect();
        let mut i = 0;
        let mut expect_segment = true;
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    if expect_segment {
                        return Err(format!("`{original}`: empty segment before `.`"));
                    }
                    expect_segment = true;
                    i += 1;
                }
                '[' => {
                    let close = chars[i..]
                        .iter()
                        .position(|c| *c == ']')
                        .map(|p| p + i)
                        .ok_or_else(|| format!("`{original}`: `[` without `]`"))?;
                    let inner: String = chars[i + 1..close].iter().collect();
                    let inner = inner.trim();
                    let seg = if inner == "*" {
                        Segment::All
                    } else if let Some(q) = inner
                        .strip_prefix('"')
                        .and_then(|s| s.strip_suffix('"'))
                        .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                    {
                        Segment::Key(q.to_string())
                    } else if let Ok(n) = inner.parse::<usize>() {
                        Segment::Index(n)
                    } else {
                        return Err(format!(
                            "`{original}`: `[{inner}]` must be `[*]`, an index like `[0]` or a quoted key like `[\"a.b\"]`"
                        ));
                    };
                    segments.push(seg);
                    expect_segment = false;
                    i = close + 1;
                }
                _ => {
                    if !expect_segment {
                        return Err(format!(
                            "`{original}`: expected `.` or `[` after `{}`",
                            chars[..i].iter().collect::<String>()
                        ));
                    }
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    let key: String = chars[start..i].iter().collect();
                    let key = key.trim().to_string();
                    if key.is_empty() {
                        return Err(format!("`{original}`: empty segment"));
                    }
                    if key
                        .chars()
                        .any(|c| c.is_whitespace() || matches!(c, '{' | '}' | '"' | '\'' | ']'))
                    {
                        return Err(format!(
                            "`{original}`: `{key}` is not a plain key; quote it like `[\"{key}\"]`"
                        ));
                    }
                    segments.push(if key == "*" {
                        Segment::All
                    } else {
                        Segment::Key(key)
                    });
                    expect_segment = false;
                }
            }
        }
        if expect_segment {
            return Err(format!("`{original}`: path ends with `.`"));
        }
        Ok(Path {
            text: original.to_string(),
            absolute,
            segments,
        })
    }

    /// Whether the path fans out over a list or mapping (`[*]`, `*`).
    pub fn has_wildcard(&self) -> bool {
        self.segments.contains(&Segment::All)
    }

    /// Whether this path reads the derived facts.
    pub fn is_fact(&self) -> bool {
        matches!(self.segments.first(), Some(Segment::Key(k)) if k == "facts")
    }

    /// Every node the path reaches from `scope` (or from the roots, when absolute or at top
    /// level). Nulls are included; `exists` decides what to make of them.
    pub fn resolve<'a>(&self, roots: Roots<'a>, scope: Option<&'a Node>) -> Vec<&'a Node> {
        let mut out = Vec::new();
        let (start, segs) = self.start(roots, scope);
        walk(start, segs, &mut out);
        out
    }

    /// Whether `found` holds for a node the path reaches, asked in [`Path::resolve`]'s order
    /// and no further than the first that holds: a rule's yes or no, without the list.
    pub fn any<'a>(
        &self,
        roots: Roots<'a>,
        scope: Option<&'a Node>,
        found: &mut impl FnMut(&'a Node) -> bool,
    ) -> bool {
        let (start, segs) = self.start(roots, scope);
        walk_any(start, segs, found)
    }

    fn start<'a>(&self, roots: Roots<'a>, scope: Option<&'a Node>) -> (&'a Node, &[Segment]) {
        match scope {
            Some(node) if !self.absolute => (node, &self.segments[..]),
            _ => {
                if self.is_fact() {
                    (roots.facts, &self.segments[1..])
                } else {
                    (roots.doc, &self.segments[..])
                }
            }
        }
    }
}

fn walk_any<'a>(
    node: &'a Node,
    segs: &[Segment],
    found: &mut impl FnMut(&'a Node) -> bool,
) -> bool {
    let Some((first, rest)) = segs.split_first() else {
        return found(node);
    };
    match first {
        Segment::Key(k) => node
            .get(k)
            .is_some_and(|child| walk_any(child, rest, found)),
        Segment::Index(i) => node
            .as_seq()
            .and_then(|s| s.get(*i))
            .is_some_and(|child| walk_any(child, rest, found)),
        Segment::All => match &node.value {
            Value::Seq(items) => items.iter().any(|c| walk_any(c, rest, found)),
            Value::Map(entries) => entries.iter().any(|e| walk_any(&e.value, rest, found)),
            _ => false,
        },
    }
}

fn walk<'a>(node: &'a Node, segs: &[Segment], out: &mut Vec<&'a Node>) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(node);
        return;
    };
    match first {
        Segment::Key(k) => {
            if let Some(child) = node.get(k) {
                walk(child, rest, out);
            }
        }
        Segment::Index(i) => {
            if let Some(child) = node.as_seq().and_then(|s| s.get(*i)) {
                walk(child, rest, out);
            }
        }
        Segment::All => match &node.value {
            Value::Seq(items) => items.iter().for_each(|c| walk(c, rest, out)),
            Value::Map(entries) => entries.iter().for_each(|e| walk(&e.value, rest, out)),
            _ => {}
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn doc(text: &str) -> Node {
        parse_documents(text)
            .unwrap_or_default()
            .pop()
            .unwrap_or_else(Node::null)
    }

    #[test]
    fn parses_every_form() {
        let p = Path::parse("metadata.annotations[\"fitscan.io/ignore\"]")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            p.segments,
            vec![
                Segment::Key("metadata".into()),
                Segment::Key("annotations".into()),
                Segment::Key("fitscan.io/ignore".into())
            ]
        );
        let p = Path::parse("spec.disks[*].size").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.segments[2], Segment::All);
        let p = Path::parse("a[0].b.*").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.segments[1], Segment::Index(0));
        assert_eq!(p.segments[3], Segment::All);
        assert!(Path::parse("$.facts.vcpu").is_ok_and(|p| p.absolute && p.is_fact()));
        for bad in [
            "",
            "a..b",
            "a.",
            ".a",
            "a[",
            "a[x]",
            "a[0]b",
            "name has {x",
            "a b",
        ] {
            assert!(Path::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn resolves_into_lists_and_facts() {
        let d = doc("spec:\n  disks:\n    - size: 1\n    - size: 2\n    - name: x\n");
        let facts = doc("vcpu: 8\n");
        let roots = Roots {
            doc: &d,
            facts: &facts,
        };
        let sizes: Vec<f64> = Path::parse("spec.disks[*].size")
            .map(|p| {
                p.resolve(roots, None)
                    .iter()
                    .filter_map(|n| n.as_f64())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(sizes, vec![1.0, 2.0]);
        let vcpu = Path::parse("facts.vcpu").map(|p| p.resolve(roots, None).len());
        assert_eq!(vcpu, Ok(1));
        let second = Path::parse("spec.disks[1].size").map(|p| p.resolve(roots, None)[0].line);
        assert_eq!(second, Ok(4));
    }

    /// `any` asks about the nodes `resolve` lists, in its order, and stops at the first
    /// that holds.
    #[test]
    fn any_asks_in_resolves_order_and_stops_at_the_first() {
        let d = doc("a:\n  - b: [1, 2]\n    c: {x: 3, y: 4}\n  - b: [5]\n  - c: {z: 6}\nd: 7\n");
        let facts = doc("vcpu: 8\n");
        let roots = Roots {
            doc: &d,
            facts: &facts,
        };
        let scope = d.get("a").and_then(|a| a.as_seq()).and_then(|s| s.first());
        for text in [
            "a[*].b[*]",
            "a[*].c.*",
            "a.*.b",
            "d",
            "a[1].b[0]",
            "facts.vcpu",
            "x.y",
            "b[*]",
        ] {
            let path = Path::parse(text).unwrap_or_else(|e| panic!("{e}"));
            for scope in [None, scope] {
                let listed: Vec<u32> = path
                    .resolve(roots, scope)
                    .iter()
                    .map(|n| n.line * 100 + n.column)
                    .collect();
                let mut asked = Vec::new();
                assert!(!path.any(roots, scope, &mut |n| {
                    asked.push(n.line * 100 + n.column);
                    false
                }));
                assert_eq!(asked, listed, "{text}");
                if let Some(&second) = listed.get(1) {
                    let mut asked = 0;
                    assert!(path.any(roots, scope, &mut |n| {
                        asked += 1;
                        n.line * 100 + n.column == second
                    }));
                    assert_eq!(asked, 2, "{text}");
                }
            }
        }
    }
}
