//! YAML (and JSON, which YAML reads) into located [`Node`] documents, with budgets that
//! stop alias bombs and runaway nesting while letting real 10,000-document bundles through.
//!
//! The tree is built straight from the event stream of `granit-parser` (the parser under
//! serde-saphyr) with an explicit stack: no recursion, so no nesting can overflow a thread's
//! stack, and no per-value location wrapper, which is what made reading YAML through serde
//! the bulk of a scan. Anchors, aliases, merge keys (`<<`) and tags are handled here, each
//! with a budget.
//!
//! Scalars follow the YAML 1.2 core schema (`yes`, `on` and `y` stay text, as in GitHub,
//! Compose and Kubernetes files). A mapping value carries the line of its key, because "the
//! offending field" is where a reader looks.

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, Tag};

use crate::node::{Entry, Node, Value, format_number};

mod common;

/// Why a YAML stream could not be read, and the line where it went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: Option<u32>,
    pub message: String,
}

/// How much one YAML stream may hold. The defaults read a 10,000-document Kubernetes bundle
/// (about 2 million nodes in 16 MiB, the default file size limit) and refuse a
/// billion-laughs file or 100,000-deep nesting in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_documents: usize,
    /// Nodes in the whole stream, aliases expanded.
    pub max_nodes: usize,
    /// Collections open at once.
    pub max_depth: usize,
    /// Nodes that anchors and aliases may copy beyond this many (the rest of the budget is
    /// one copied node per node written in the file).
    pub max_alias_nodes: usize,
}

pub const LIMITS: Limits = Limits {
    max_documents: 200_000,
    max_nodes: 4_000_000,
    max_depth: 200,
    max_alias_nodes: 200_000,
};

/// Every non-empty document of a YAML stream, in order (documents that are empty or only
/// `null` are left out).
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    parse_documents_with(text, LIMITS)
}

/// [`parse_documents`] read by the full parser alone (no common-subset reader), for
/// comparing the two (the fuzz target does).
pub fn parse_documents_fully(text: &str) -> Result<Vec<Node>, YamlError> {
    Ok(parse_fully(text, LIMITS, false)?.0)
}

/// [`parse_documents`] with other budgets (tests, tools).
pub fn parse_documents_with(text: &str, limits: Limits) -> Result<Vec<Node>, YamlError> {
    Ok(parse(text, limits, false)?.0)
}

/// A local tag (`!reset`, `!override`) and where the node it is on ends up: a mapping
/// value at its key's position, as [`Node`] places it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTag {
    pub line: u32,
    pub column: u32,
    /// The tag without its `!`.
    pub name: String,
}

/// [`parse_documents`], and the local tags of the stream (Compose's `!reset` and
/// `!override` change how a file merges, while the tree itself reads as if they were absent).
pub fn parse_documents_tagged(text: &str) -> Result<(Vec<Node>, Vec<LocalTag>), YamlError> {
    parse(text, LIMITS, true)
}

fn parse(
    text: &str,
    limits: Limits,
    keep_tags: bool,
) -> Result<(Vec<Node>, Vec<LocalTag>), YamlError> {
    let mut builder = Builder::new(limits);
    builder.keep_tags = keep_tags;
    if common::read(text, &mut builder).is_ok() {
        return Ok(builder.finish());
    }
    parse_fully(text, limits, keep_tags)
}

/// The whole of YAML, with `granit-parser`.
fn parse_fully(
    text: &str,
    limits: Limits,
    keep_tags: bool,
) -> Result<(Vec<Node>, Vec<LocalTag>), YamlError> {
    let mut options = granit_parser::Options::default();
    options.emit_comments = false;
    // Our own depth budget speaks first; the parser's limits only guard its own recursion.
    options.flow_nesting_limit = limits.max_depth + 16;
    options.block_nesting_limit = limits.max_depth + 16;
    let parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(limits);
    builder.keep_tags = keep_tags;
    builder.run(parser)
}

/// The name of a local tag (`!reset`), None for core and other tags.
fn local_tag(tag: Option<&Tag>) -> Option<Box<str>> {
    tag.filter(|t| t.handle() == "!" && !t.suffix().is_empty())
        .map(|t| t.suffix().into())
}

/// A collection being read. Its children wait on the builder's shared stacks of items and
/// entries from `first` on, and move into a vector of exactly their number when it ends.
enum Frame {
    Seq {
        first: usize,
        start: Position,
        anchor: usize,
        size: usize,
        tag: Option<Box<str>>,
    },
    Map {
        first: usize,
        /// The key read, waiting for its value.
        key: Option<Key>,
        /// Values of merge keys (`<<: *base`), applied when the mapping ends.
        merges: Vec<Node>,
        start: Position,
        anchor: usize,
        size: usize,
        tag: Option<Box<str>>,
    },
}

struct Key {
    text: String,
    at: Position,
    /// A plain `<<`: the value is merged rather than stored.
    merge: bool,
}

#[derive(Clone, Copy)]
struct Position {
    line: u32,
    column: u32,
}

/// A node just read, before it is attached to its parent.
struct Done {
    node: Node,
    /// Nodes in its subtree (itself included), for the alias budget.
    size: usize,
    anchor: usize,
    /// A plain `<<`, when this node is read as a mapping key.
    merge_key: bool,
    /// Its local tag, when the builder keeps them.
    tag: Option<Box<str>>,
}

struct Builder {
    limits: Limits,
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    documents: Vec<Node>,
    root: Option<Node>,
    /// Anchored nodes of the current document, by the parser's anchor id.
    anchors: HashMap<usize, (Node, usize)>,
    /// Anchor ids of collections still open (an alias to one of them is a cycle).
    open_anchors: Vec<usize>,
    /// Nodes in the stream, aliases expanded.
    nodes: usize,
    /// Nodes written in the file.
    written: usize,
    /// Nodes copied by anchors and aliases.
    copied: usize,
    document_count: usize,
    keep_tags: bool,
    tags: Vec<LocalTag>,
}

fn error(line: u32, message: impl Into<String>) -> YamlError {
    YamlError {
        line: (line > 0).then_some(line),
        message: message.into(),
    }
}

fn too_deep(limits: &Limits) -> String {
    format!(
        "YAML nesting is too deep (more than {} levels); refusing to parse",
        limits.max_depth
    )
}

fn expands_too_much() -> String {
    "YAML expands too much (alias bomb or oversized stream); refusing to parse".to_string()
}

impl Builder {
    fn new(limits: Limits) -> Self {
        Builder {
            limits,
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            documents: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            open_anchors: Vec::new(),
            nodes: 0,
            written: 0,
            copied: 0,
            document_count: 0,
            keep_tags: false,
            tags: Vec::new(),
        }
    }

    fn run<'a>(
        mut self,
        parser: Parser<'a, granit_parser::StrInput<'a>>,
    ) -> Result<(Vec<Node>, Vec<LocalTag>), YamlError> {
        for item in parser {
            let (event, span) = item.map_err(|e| parser_error(&e, &self.limits))?;
            let at = Position {
                line: to_u32(span.start.line()),
                column: to_u32(span.start.col() + 1),
            };
            match event {
                Event::StreamStart | Event::StreamEnd => {}
                Event::DocumentStart(..) => self.document_start(at)?,
                Event::DocumentEnd => self.document_end(),
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(text, style, anchor, tag.as_deref(), at)?;
                }
                Event::SequenceStart(_, anchor, tag) => {
                    self.start(true, anchor, tag.as_deref(), at)?;
                }
                Event::MappingStart(_, anchor, tag) => {
                    self.start(false, anchor, tag.as_deref(), at)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.end(at)?,
                Event::Alias(id) => self.alias(id, at)?,
                Event::UnresolvedAlias(name) => {
                    return Err(error(
                        at.line,
                        format!("invalid YAML: alias `*{name}` to an unknown anchor"),
                    ));
                }
                _ => {}
            }
        }
        Ok(self.finish())
    }

    fn finish(self) -> (Vec<Node>, Vec<LocalTag>) {
        (self.documents, self.tags)
    }

    fn document_start(&mut self, at: Position) -> Result<(), YamlError> {
        self.document_count += 1;
        if self.document_count > self.limits.max_documents {
            return Err(error(
                at.line,
                format!(
                    "too many YAML documents in one file (limit {})",
                    thousands(self.limits.max_documents)
                ),
            ));
        }
        self.anchors.clear();
        Ok(())
    }

    fn document_end(&mut self) {
        if let Some(root) = self.root.take()
            && !root.is_null()
        {
            self.documents.push(root);
        }
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        at: Position,
    ) -> Result<(), YamlError> {
        self.written += 1;
        self.count_nodes(1, at)?;
        let merge_key = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
        let local = self.keep_tags.then(|| local_tag(tag)).flatten();
        let value = resolve_scalar(text, style, tag);
        self.attach(
            Done {
                node: Node {
                    value,
                    line: at.line,
                    column: at.column,
                },
                size: 1,
                anchor,
                merge_key,
                tag: local,
            },
            at,
        )
    }

    /// A sequence (`seq`) or a mapping opens.
    fn start(
        &mut self,
        seq: bool,
        anchor: usize,
        tag: Option<&Tag>,
        at: Position,
    ) -> Result<(), YamlError> {
        self.open(at)?;
        if anchor != 0 {
            self.open_anchors.push(anchor);
        }
        let tag = self.keep_tags.then(|| local_tag(tag)).flatten();
        self.stack.push(if seq {
            Frame::Seq {
                first: self.items.len(),
                start: at,
                anchor,
                size: 1,
                tag,
            }
        } else {
            Frame::Map {
                first: self.entries.len(),
                key: None,
                merges: Vec::new(),
                start: at,
                anchor,
                size: 1,
                tag,
            }
        });
        Ok(())
    }

    /// The innermost open collection ends.
    fn end(&mut self, at: Position) -> Result<(), YamlError> {
        let done = match self.stack.pop() {
            Some(Frame::Seq {
                first,
                start,
                anchor,
                size,
                tag,
            }) => Done {
                node: Node {
                    value: Value::Seq(self.items.drain(first..).collect()),
                    line: start.line,
                    column: start.column,
                },
                size,
                anchor,
                merge_key: false,
                tag,
            },
            Some(Frame::Map {
                first,
                merges,
                start,
                anchor,
                size,
                tag,
                ..
            }) => Done {
                node: Node {
                    value: Value::Map(finish_map(
                        self.entries.drain(first..).collect(),
                        merges,
                        start.line,
                    )?),
                    line: start.line,
                    column: start.column,
                },
                size,
                anchor,
                merge_key: false,
                tag,
            },
            None => {
                return Err(error(at.line, "invalid YAML: unbalanced collection end"));
            }
        };
        if done.anchor != 0 {
            self.open_anchors.retain(|a| *a != done.anchor);
        }
        self.attach(done, at)?;
        Ok(())
    }

    /// An alias: a copy of its anchored node, within the budgets.
    fn alias(&mut self, id: usize, at: Position) -> Result<(), YamlError> {
        if self.open_anchors.contains(&id) {
            return Err(error(
                at.line,
                "invalid YAML: an alias refers to a collection that contains it (a cycle)",
            ));
        }
        let Some(size) = self.anchors.get(&id).map(|(_, size)| *size) else {
            return Err(error(at.line, "invalid YAML: alias to an unknown anchor"));
        };
        // Budgets first: nothing large is copied past them.
        self.copy_budget(size, at)?;
        self.count_nodes(size, at)?;
        let Some(node) = self.anchors.get(&id).map(|(node, _)| relocated(node, at)) else {
            return Err(error(at.line, "invalid YAML: alias to an unknown anchor"));
        };
        self.attach(
            Done {
                node,
                size,
                anchor: 0,
                merge_key: false,
                tag: None,
            },
            at,
        )
    }

    fn count_nodes(&mut self, n: usize, at: Position) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(error(
                at.line,
                format!(
                    "too many YAML nodes in one file (limit {})",
                    thousands(self.limits.max_nodes)
                ),
            ));
        }
        Ok(())
    }

    /// Copies made by anchors and aliases: at most the fixed allowance plus one node per node
    /// written, so that a real file with anchors reads and a bomb stops early.
    fn copy_budget(&mut self, n: usize, at: Position) -> Result<(), YamlError> {
        self.copied = self.copied.saturating_add(n);
        if self.copied > self.limits.max_alias_nodes.saturating_add(self.written) {
            return Err(error(at.line, expands_too_much()));
        }
        Ok(())
    }

    fn open(&mut self, at: Position) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(error(at.line, too_deep(&self.limits)));
        }
        self.written += 1;
        self.count_nodes(1, at)
    }

    /// Stores an anchored node and hands a finished node to its parent.
    fn attach(&mut self, done: Done, at: Position) -> Result<(), YamlError> {
        if done.anchor != 0 {
            // The copy kept for later aliases costs what it holds.
            self.copy_budget(done.size, at)?;
            self.anchors
                .insert(done.anchor, (done.node.clone(), done.size));
        }
        if let Some(name) = &done.tag {
            // Where the node ends up: a mapping value moves to its key's position.
            let at = match self.stack.last() {
                // A tag on a key is not one on its value.
                Some(Frame::Map { key: None, .. }) => None,
                Some(Frame::Map { key: Some(k), .. }) if !k.merge && k.at.line > 0 => Some(k.at),
                _ => Some(Position {
                    line: done.node.line,
                    column: done.node.column,
                }),
            };
            if let Some(at) = at {
                self.tags.push(LocalTag {
                    line: at.line,
                    column: at.column,
                    name: name.to_string(),
                });
            }
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(done.node);
            return Ok(());
        };
        match parent {
            Frame::Seq { size, .. } => {
                *size += done.size;
                self.items.push(done.node);
            }
            Frame::Map {
                key, merges, size, ..
            } => {
                *size += done.size;
                match key.take() {
                    None => {
                        let text = key_text(&done.node).ok_or_else(|| {
                            error(
                                done.node.line,
                                "invalid YAML: complex mapping keys (a list or a mapping as a key) are not supported",
                            )
                        })?;
                        *key = Some(Key {
                            text,
                            at: Position {
                                line: done.node.line,
                                column: done.node.column,
                            },
                            merge: done.merge_key,
                        });
                    }
                    Some(k) if k.merge => merges.push(done.node),
                    Some(k) => {
                        let mut value = done.node;
                        if k.at.line > 0 {
                            value.line = k.at.line;
                            value.column = k.at.column;
                        }
                        self.entries.push(Entry { key: k.text, value });
                    }
                }
            }
        }
        Ok(())
    }
}

/// A copy of an anchored node for an alias: every copied value points at the alias, where
/// the workload that uses it says so (`<<: *defaults` in a service).
fn relocated(node: &Node, at: Position) -> Node {
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|i| relocated(i, at)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    value: relocated(&e.value, at),
                })
                .collect(),
        ),
        scalar => scalar.clone(),
    };
    Node {
        value,
        line: at.line,
        column: at.column,
    }
}

/// A mapping's entries: a repeated key keeps its first place and its last value (as
/// Kubernetes and Compose tools read it), then merged keys that are not set explicitly,
/// earlier merge sources first.
fn finish_map(
    mut entries: Vec<Entry>,
    merges: Vec<Node>,
    line: u32,
) -> Result<Vec<Entry>, YamlError> {
    dedup_last_wins(&mut entries);
    if merges.is_empty() {
        return Ok(entries);
    }
    let mut sources: Vec<Node> = Vec::new();
    for merge in merges {
        match merge.value {
            Value::Map(_) => sources.push(merge),
            Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) => {
                sources.extend(items);
            }
            _ => {
                return Err(error(
                    merge.line.max(line),
                    "invalid YAML: a merge key `<<` takes a mapping or a list of mappings",
                ));
            }
        }
    }
    // Keys already present, looked up by hash: a merge of many keys stays linear.
    let mut present: std::collections::HashSet<String> =
        entries.iter().map(|e| e.key.clone()).collect();
    for source in sources {
        let Value::Map(merged) = source.value else {
            continue;
        };
        for entry in merged {
            if !present.contains(&entry.key) {
                present.insert(entry.key.clone());
                entries.push(entry);
            }
        }
    }
    Ok(entries)
}

fn dedup_last_wins(entries: &mut Vec<Entry>) {
    if entries.len() < 2 {
        return;
    }
    if entries.len() <= 16 {
        let mut i = 1;
        while i < entries.len() {
            if let Some(first) = entries[..i].iter().position(|e| e.key == entries[i].key) {
                let later = entries.remove(i);
                entries[first].value = later.value;
            } else {
                i += 1;
            }
        }
        return;
    }
    let mut first_at: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    let mut moves: Vec<(usize, usize)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match first_at.get(e.key.as_str()) {
            Some(&first) => moves.push((i, first)),
            None => {
                first_at.insert(&e.key, i);
            }
        }
    }
    if moves.is_empty() {
        return;
    }
    let mut taken: Vec<Option<Entry>> = std::mem::take(entries).into_iter().map(Some).collect();
    for (later, first) in moves {
        if let Some(e) = taken[later].take()
            && let Some(slot) = taken[first].as_mut()
        {
            slot.value = e.value;
        }
    }
    entries.extend(taken.into_iter().flatten());
}

/// A mapping key as text, whatever scalar it was written as (`80:`, `true:`); None for a
/// list or mapping.
fn key_text(node: &Node) -> Option<String> {
    Some(match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_number(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

/// The value of a scalar: quoted and block scalars are text; plain ones are resolved by
/// the YAML 1.2 core schema; a core tag (`!!str`, `!!int`, ...) decides, other tags are
/// read as if absent.
fn resolve_scalar(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let core = tag.and_then(|t| {
        if (t.handle() == "!" && t.suffix().is_empty())
            || (t.handle().is_empty() && t.suffix() == "!")
        {
            // The non-specific tag `!`: text.
            Some("str")
        } else {
            t.core_suffix()
        }
    });
    match core {
        Some("str") => return Value::Str(text.into_owned()),
        Some("null") => return Value::Null,
        Some("bool" | "int" | "float") => return resolve_plain(text),
        _ => {}
    }
    if style == ScalarStyle::Plain {
        resolve_plain(text)
    } else {
        Value::Str(text.into_owned())
    }
}

fn resolve_plain(text: Cow<'_, str>) -> Value {
    let t = text.as_ref();
    let Some(&first) = t.as_bytes().first() else {
        return Value::Null;
    };
    match first {
        b'~' if t == "~" => Value::Null,
        b'n' | b'N' if matches!(t, "null" | "Null" | "NULL") => Value::Null,
        b't' | b'T' if matches!(t, "true" | "True" | "TRUE") => Value::Bool(true),
        b'f' | b'F' if matches!(t, "false" | "False" | "FALSE") => Value::Bool(false),
        b'0'..=b'9' | b'+' | b'-' | b'.' => {
            number(t).unwrap_or_else(|| Value::Str(text.into_owned()))
        }
        _ => Value::Str(text.into_owned()),
    }
}

/// A YAML 1.2 core integer or float; None for anything else. Integers beyond 64 bits are
/// floats; NaN and infinities (`.nan`, `.inf`, `1e999`) stay text: never a size.
fn number(t: &str) -> Option<Value> {
    let (negative, unsigned) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let radix = |prefix: &str| unsigned.strip_prefix(prefix);
    let prefixed = [("0x", 16), ("0o", 8), ("0b", 2)]
        .into_iter()
        .find_map(|(p, r)| radix(p).map(|digits| (digits, r)));
    if let Some((digits, radix)) = prefixed {
        let magnitude = digits_value(digits, radix)?;
        return Some(int_value(magnitude, negative));
    }
    if !unsigned.is_empty()
        && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && let Some(magnitude) = digits_value(unsigned, 10)
    {
        return Some(int_value(magnitude, negative));
    }
    // Rust's float syntax is the YAML one plus spellings of NaN and infinity, which a
    // finite check turns away.
    let f: f64 = t.parse().ok()?;
    f.is_finite().then_some(Value::Float(f))
}

/// Digits (with single `_` separators between them) in a radix; None if not such digits or
/// beyond 128 bits.
fn digits_value(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    if bytes.first() == Some(&b'_') || bytes.last() == Some(&b'_') {
        return None;
    }
    let mut value: u128 = 0;
    let mut any = false;
    let mut previous_underscore = false;
    for &b in bytes {
        if b == b'_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
            continue;
        }
        previous_underscore = false;
        let d = char::from(b).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        any = true;
    }
    any.then_some(value)
}

fn int_value(magnitude: u128, negative: bool) -> Value {
    let signed = i128::try_from(magnitude)
        .ok()
        .map(|m| if negative { -m } else { m });
    match signed.and_then(|v| i64::try_from(v).ok()) {
        Some(i) => Value::Int(i),
        None => {
            let f = magnitude as f64;
            Value::Float(if negative { -f } else { f })
        }
    }
}

fn parser_error(e: &granit_parser::ScanError, limits: &Limits) -> YamlError {
    let line = to_u32(e.marker().line());
    let info = e.info();
    let message = if matches!(e.kind(), granit_parser::ErrorKind::RecursionLimitExceeded)
        || info.contains("nesting limit")
    {
        too_deep(limits)
    } else {
        format!("invalid YAML: {info}")
    };
    error(line, message)
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod common_tests;
#[cfg(test)]
mod serde_reader;
#[cfg(test)]
mod tests;
