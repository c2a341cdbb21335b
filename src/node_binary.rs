//! Parsed documents in a compact binary form. The build script reads the default rules and
//! the lifecycle table with [`crate::yaml`] and stores them this way; a scan decodes them
//! instead of parsing their YAML again, which was half of a one-file scan's start-up.
//!
//! Each node: a kind byte, its line and column, then its value (integers as LEB128, strings
//! as their length and bytes). Only this crate's build writes it, so a decoding error means
//! a build mismatch: the caller then reads the YAML text instead.

use crate::node::{Entry, Node, Value};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STR: u8 = 5;
const SEQ: u8 = 6;
const MAP: u8 = 7;

/// The documents of one file, encoded.
pub fn encode(docs: &[Node]) -> Vec<u8> {
    let mut out = Vec::new();
    number(&mut out, docs.len() as u64);
    for d in docs {
        node(&mut out, d);
    }
    out
}

fn number(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn text(out: &mut Vec<u8>, s: &str) {
    number(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn node(out: &mut Vec<u8>, n: &Node) {
    let kind = match &n.value {
        Value::Null => NULL,
        Value::Bool(false) => FALSE,
        Value::Bool(true) => TRUE,
        Value::Int(_) => INT,
        Value::Float(_) => FLOAT,
        Value::Str(_) => STR,
        Value::Seq(_) => SEQ,
        Value::Map(_) => MAP,
    };
    out.push(kind);
    number(out, u64::from(n.line));
    number(out, u64::from(n.column));
    match &n.value {
        Value::Null | Value::Bool(_) => {}
        Value::Int(i) => out.extend_from_slice(&i.to_le_bytes()),
        Value::Float(f) => out.extend_from_slice(&f.to_bits().to_le_bytes()),
        Value::Str(s) => text(out, s),
        Value::Seq(items) => {
            number(out, items.len() as u64);
            items.iter().for_each(|i| node(out, i));
        }
        Value::Map(entries) => {
            number(out, entries.len() as u64);
            for e in entries {
                text(out, &e.key);
                node(out, &e.value);
            }
        }
    }
}

/// The documents [`encode`] wrote; None when `bytes` are not that.
pub fn decode(bytes: &[u8]) -> Option<Vec<Node>> {
    let mut r = Reader { bytes, at: 0 };
    let count = r.count()?;
    let mut docs = Vec::with_capacity(count);
    for _ in 0..count {
        docs.push(r.node(0)?);
    }
    (r.at == bytes.len()).then_some(docs)
}

/// Deeper than any rule file nests; a guard against a corrupt input, not a budget.
const MAX_DEPTH: usize = 256;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn number(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// A count of items still to read: never more than the bytes left.
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.number()?).ok()?;
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.number()?).ok()
    }

    fn eight(&mut self) -> Option<[u8; 8]> {
        let b = self.bytes.get(self.at..self.at + 8)?.try_into().ok()?;
        self.at += 8;
        Some(b)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.count()?;
        let s = std::str::from_utf8(self.bytes.get(self.at..self.at + len)?).ok()?;
        self.at += len;
        Some(s.to_string())
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let kind = self.byte()?;
        let line = self.u32()?;
        let column = self.u32()?;
        let value = match kind {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            INT => Value::Int(i64::from_le_bytes(self.eight()?)),
            FLOAT => Value::Float(f64::from_bits(u64::from_le_bytes(self.eight()?))),
            STR => Value::Str(self.text()?),
            SEQ => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.node(depth + 1)?);
                }
                Value::Seq(items)
            }
            MAP => {
                let n = self.count()?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.text()?;
                    let value = self.node(depth + 1)?;
                    entries.push(Entry { key, value });
                }
                Value::Map(entries)
            }
            _ => return None,
        };
        Some(Node {
            value,
            line,
            column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_come_back_as_they_were_parsed() {
        let text = "a: 1\nb: [x, 2.5, true, null, -7]\nc:\n  d: 'long text'\n---\n- 1\n";
        let docs = crate::yaml::parse_documents(text).unwrap_or_else(|e| panic!("{e:?}"));
        let bytes = encode(&docs);
        assert_eq!(decode(&bytes), Some(docs));
    }

    #[test]
    fn a_corrupt_or_cut_input_is_none_not_a_panic() {
        let docs = crate::yaml::parse_documents("a: [1, 2, {b: c}]\n").unwrap_or_default();
        let bytes = encode(&docs);
        for end in 0..bytes.len() {
            assert_eq!(decode(&bytes[..end]), None, "cut at {end}");
        }
        assert_eq!(decode(&[1, 9]), None);
        assert_eq!(decode(&[0xff; 12]), None);
    }
}
