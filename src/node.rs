//! A parsed document as the rule engine sees it: a tree of values, each carrying the line
//! it came from. Every input kind turns its format into this one shape (YAML directly,
//! Dockerfiles and CSV rows through their ingest modules), so rules never look at formats.

use std::fmt;

/// A value with its source position. `line` is 1-based; 0 means "no position" (a derived fact).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Node,
}

impl Node {
    pub fn new(value: Value, line: u32) -> Self {
        Node {
            value,
            line,
            column: 0,
        }
    }
    pub fn null() -> Self {
        Node::new(Value::Null, 0)
    }
    pub fn str(s: impl Into<String>, line: u32) -> Self {
        Node::new(Value::Str(s.into()), line)
    }
    pub fn int(i: i64, line: u32) -> Self {
        Node::new(Value::Int(i), line)
    }
    pub fn bool(b: bool, line: u32) -> Self {
        Node::new(Value::Bool(b), line)
    }
    /// A float, or null when it is not finite (NaN and infinities are never facts).
    pub fn float(f: f64, line: u32) -> Self {
        if f.is_finite() {
            Node::new(Value::Float(f), line)
        } else {
            Node::new(Value::Null, line)
        }
    }
    pub fn seq(items: Vec<Node>, line: u32) -> Self {
        Node::new(Value::Seq(items), line)
    }
    pub fn map(line: u32) -> Self {
        Node::new(Value::Map(Vec::new()), line)
    }

    /// An empty mapping with room for `entries` keys.
    pub fn map_with_capacity(line: u32, entries: usize) -> Self {
        Node::new(Value::Map(Vec::with_capacity(entries)), line)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// How many nodes the tree holds, itself included (without recursion: a tree of any
    /// depth is counted). Budgets that bound copies count with it.
    pub fn count(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            match &node.value {
                Value::Seq(items) => stack.extend(items),
                Value::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
                _ => {}
            }
        }
        n
    }

    /// The child under `key` of a mapping (the last one wins when a key repeats).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|e| e.key == key)
                .map(|e| &e.value),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Map(entries) => entries
                .iter_mut()
                .rev()
                .find(|e| e.key == key)
                .map(|e| &mut e.value),
            _ => None,
        }
    }

    /// Follows a dotted path of mapping keys (no wildcards): `spec.cpu.vcpus`.
    pub fn at(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// Sets `key` on a mapping node, replacing an existing entry. Does nothing on non-maps.
    pub fn insert(&mut self, key: impl Into<String> + AsRef<str>, value: Node) {
        if let Value::Map(entries) = &mut self.value {
            // The key is copied only when it is new (facts are set millions of times).
            match entries.iter_mut().find(|e| e.key == key.as_ref()) {
                Some(e) => e.value = value,
                None => entries.push(Entry {
                    key: key.into(),
                    value,
                }),
            }
        }
    }

    /// Sets a value at a dotted path, creating intermediate mappings as needed.
    pub fn insert_path(&mut self, dotted: &str, value: Node) {
        self.insert_at(dotted.split('.'), value);
    }

    /// Sets a value at a path given as its keys (`["current", dim]`), creating intermediate
    /// mappings as needed: [`Node::insert_path`] without making the dotted text.
    pub fn insert_at<'k>(&mut self, path: impl IntoIterator<Item = &'k str>, value: Node) {
        let mut parts = path.into_iter().peekable();
        let mut cur = self;
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                cur.insert(part, value);
                return;
            }
            let Value::Map(entries) = &mut cur.value else {
                return;
            };
            let at = match entries.iter().rposition(|e| e.key == part) {
                Some(at) => {
                    if !matches!(entries[at].value.value, Value::Map(_)) {
                        entries[at].value = Node::map(0);
                    }
                    at
                }
                None => {
                    entries.push(Entry {
                        key: part.to_string(),
                        value: Node::map(0),
                    });
                    entries.len() - 1
                }
            };
            cur = &mut entries[at].value;
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// A number, also from a numeric string (`"4"`, `" 2.5 "`); never NaN or infinite.
    pub fn as_f64(&self) -> Option<f64> {
        let f = match &self.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            Value::Str(s) => s.trim().parse::<f64>().ok()?,
            _ => return None,
        };
        f.is_finite().then_some(f)
    }

    /// The scalar as text (numbers formatted without a trailing `.0`); None for collections.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(format_number(*f)),
            Value::Str(s) => Some(s.clone()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Short human rendering for messages: scalars as text, collections summarised.
    pub fn display_text(&self) -> String {
        match &self.value {
            Value::Seq(items) => {
                let parts: Vec<String> = items.iter().take(8).map(|n| n.display_text()).collect();
                if items.len() > 8 {
                    format!("[{}, ...]", parts.join(", "))
                } else {
                    format!("[{}]", parts.join(", "))
                }
            }
            Value::Map(entries) => format!("{{{} keys}}", entries.len()),
            _ => self.scalar_text().unwrap_or_default(),
        }
    }

    /// `to_json().to_string()` without building the JSON value: compact, keys in byte order,
    /// a repeated key's last value (what a JSON object keeps). Finding fingerprints hash this
    /// text, so it must never change; a test holds it to the value's.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(&Compact(self)).unwrap_or_else(|_| self.to_json().to_string())
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A node serialised as [`Node::to_json`] builds it, straight to text.
struct Compact<'a>(&'a Node);

impl serde::Serialize for Compact<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.0.value {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => serializer.serialize_f64(*f),
            Value::Float(_) => serializer.serialize_unit(),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Compact(item))?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                // As a JSON object holds them: sorted, a repeated key once with its last value.
                let mut sorted: Vec<&Entry> = entries.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                let mut map = serializer.serialize_map(None)?;
                for (i, e) in sorted.iter().enumerate() {
                    if sorted.get(i + 1).is_some_and(|next| next.key == e.key) {
                        continue;
                    }
                    map.serialize_entry(&e.key, &Compact(&e.value))?;
                }
                map.end()
            }
        }
    }
}

/// Numbers for people: integers without `.0`, others with at most two decimals.
pub fn format_number(f: f64) -> String {
    if !f.is_finite() {
        return "?".to_string();
    }
    if (f - f.round()).abs() < 1e-9 && f.abs() < 1e15 {
        return format!("{}", f.round() as i64);
    }
    let s = format!("{f:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every document of the repository's YAML files, and nodes no file has (repeated keys,
    /// non-finite and extreme numbers, escapes): the text is the JSON value's.
    #[test]
    fn json_text_is_the_json_values() {
        fn every(node: &Node, out: &mut Vec<Node>) {
            out.push(node.clone());
            match &node.value {
                Value::Seq(items) => items.iter().for_each(|i| every(i, out)),
                Value::Map(entries) => entries.iter().for_each(|e| every(&e.value, out)),
                _ => {}
            }
        }
        let mut nodes = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("samples"), root.join("tests"), root.join("rules")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                    && let Ok(text) = std::fs::read_to_string(&path)
                    && let Ok(docs) = crate::yaml::parse_documents(&text)
                {
                    docs.iter().for_each(|d| every(d, &mut nodes));
                }
            }
        }
        assert!(nodes.len() > 10_000, "{}", nodes.len());
        let entry = |key: &str, value: Node| Entry {
            key: key.to_string(),
            value,
        };
        nodes.push(Node::new(
            Value::Map(vec![
                entry("b", Node::int(1, 0)),
                entry("a", Node::float(f64::NAN, 0)),
                entry("b", Node::float(2.5e300, 0)),
                entry("\u{e9}\"\n\u{1}", Node::float(-0.0, 0)),
                entry("A", Node::float(f64::INFINITY, 0)),
                entry("n", Node::new(Value::Seq(vec![Node::int(i64::MIN, 0)]), 0)),
                entry("t", Node::float(1e-7, 0)),
            ]),
            0,
        ));
        for node in &nodes {
            assert_eq!(node.to_json_string(), node.to_json().to_string());
        }
    }

    #[test]
    fn numbers_format_for_people() {
        assert_eq!(format_number(4.0), "4");
        assert_eq!(format_number(3.6), "3.6");
        assert_eq!(format_number(1.0 / 3.0), "0.33");
        assert_eq!(format_number(f64::NAN), "?");
    }

    #[test]
    fn insert_path_creates_maps() {
        let mut n = Node::map(1);
        n.insert_path("a.b.c", Node::int(3, 0));
        n.insert_path("a.b.d", Node::int(4, 0));
        assert_eq!(n.at("a.b.c").and_then(Node::as_f64), Some(3.0));
        assert_eq!(n.at("a.b.d").and_then(Node::as_f64), Some(4.0));
    }

    #[test]
    fn numeric_strings_are_numbers_but_nan_is_not() {
        assert_eq!(Node::str(" 2.5 ", 0).as_f64(), Some(2.5));
        assert_eq!(Node::str("NaN", 0).as_f64(), None);
        assert_eq!(Node::str("inf", 0).as_f64(), None);
        assert!(Node::float(f64::INFINITY, 0).is_null());
    }
}
