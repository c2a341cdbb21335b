//! A file as read from disk, its text, and the one line table per file that turns byte
//! offsets into line numbers when a finding is printed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::ScanError;

/// Between an archive's path and an entry's path in every location a report shows:
/// `packages/vfw.csar!/Definitions/vfw_df.yaml` (as in Java's `jar:` URLs).
pub const ENTRY_SEPARATOR: &str = "!/";

/// One input file. `display` is the path as the user gave it (or as found under it).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub display: Arc<str>,
    pub bytes: Vec<u8>,
    /// Named on the command line rather than found by walking a directory.
    pub explicit: bool,
    /// For an entry of an archive (a CSAR), the archive's path: `path` lies under it and
    /// names no file on disk, so nothing about this file (its imports) is looked up there.
    pub archive: Option<Arc<Path>>,
    /// Its bytes were not read (`bytes` is empty): the kind that claims it reads it from
    /// `path` in place (an archive, of which only the directory and a few entries are read).
    pub in_place: bool,
}

impl SourceFile {
    pub fn from_text(display: &str, text: &str) -> Self {
        SourceFile {
            path: PathBuf::from(display),
            display: Arc::from(display),
            bytes: text.as_bytes().to_vec(),
            explicit: true,
            archive: None,
            in_place: false,
        }
    }

    /// The file name (last path component), for detection by name; a name that is not
    /// valid UTF-8 is read with its invalid bytes replaced (never taken for no name).
    pub fn file_name(&self) -> std::borrow::Cow<'_, str> {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    }

    /// The text without a UTF-8 byte order mark, or an error naming the line of the first
    /// byte that is not UTF-8.
    pub fn text(&self) -> Result<&str, ScanError> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            let line = line_of_offset(bytes, e.valid_up_to());
            ScanError::parse(
                &self.display,
                Some(line),
                format!(
                    "not valid UTF-8 (byte offset {}); save the file as UTF-8",
                    e.valid_up_to()
                ),
            )
        })
    }

    /// Whether the file looks binary (a NUL byte in its first 8 KiB), as git decides.
    pub fn looks_binary(&self) -> bool {
        self.bytes.iter().take(8192).any(|b| *b == 0)
    }
}

/// A stream of JSON documents (`kubectl get -o json` run twice, `jq -c` output) as a YAML
/// stream: every value after the first starts a document (`--- ` before it, on its own
/// line, so that lines keep their numbers wherever values are on separate lines). Text that
/// is not such a stream (YAML, one JSON value, invalid JSON) is returned as it is.
pub fn json_stream_as_yaml(bytes: Vec<u8>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('{') && !trimmed.starts_with('[') {
        return bytes;
    }
    let mut starts = Vec::new();
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    let mut at = 0usize;
    loop {
        let begin = text[at..]
            .find(|c: char| !c.is_whitespace())
            .map_or(text.len(), |i| at + i);
        match values.next() {
            Some(Ok(_)) => {
                starts.push(begin);
                at = values.byte_offset();
            }
            Some(Err(_)) => return bytes,
            None => break,
        }
    }
    if starts.len() < 2 {
        return bytes;
    }
    let mut out = String::with_capacity(text.len() + 8 * starts.len());
    let mut last = 0;
    for (i, start) in starts.into_iter().enumerate() {
        out.push_str(&text[last..start]);
        if i > 0 {
            // On a line of its own when the value starts a line; else a new line first.
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("--- ");
        }
        last = start;
    }
    out.push_str(&text[last..]);
    out.into_bytes()
}

/// A file saved as UTF-16 with a byte order mark (PowerShell's `>` writes them: `kubectl get
/// -o yaml > app.yaml`) re-encoded as UTF-8, so that every reader and every line number work
/// on it. Anything else, including UTF-16 that does not decode cleanly, is left as it is.
pub fn utf16_to_utf8(bytes: Vec<u8>) -> Vec<u8> {
    let encoding = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => encoding_rs::UTF_16LE,
        Some([0xFE, 0xFF]) => encoding_rs::UTF_16BE,
        _ => return bytes,
    };
    match encoding.decode_without_bom_handling_and_without_replacement(&bytes[2..]) {
        Some(text) => text.into_owned().into_bytes(),
        None => bytes,
    }
}

fn line_of_offset(bytes: &[u8], offset: usize) -> u32 {
    let end = offset.min(bytes.len());
    let newlines = bytes[..end].iter().filter(|b| **b == b'\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// Byte offset -> 1-based line number, built once per file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    pub fn line(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        u32::try_from(idx + 1).unwrap_or(u32::MAX)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_stream_becomes_yaml_documents_and_keeps_its_lines() {
        let out = |s: &str| {
            String::from_utf8(json_stream_as_yaml(s.as_bytes().to_vec())).unwrap_or_default()
        };
        assert_eq!(
            out("{\"a\": 1}\n{\"b\": 2}\n"),
            "{\"a\": 1}\n--- {\"b\": 2}\n"
        );
        assert_eq!(out("{\"a\": 1}{\"b\": 2}"), "{\"a\": 1}\n--- {\"b\": 2}");
        assert_eq!(
            out("{\"a\": 1}\n"),
            "{\"a\": 1}\n",
            "one value is left as it is"
        );
        assert_eq!(
            out("a: 1\n---\nb: 2\n"),
            "a: 1\n---\nb: 2\n",
            "YAML is left as it is"
        );
        assert_eq!(
            out("{\"a\": 1} {"),
            "{\"a\": 1} {",
            "broken JSON is left to the parser"
        );
    }

    #[test]
    fn line_index_maps_offsets() {
        let idx = LineIndex::new("ab\ncd\n\nef");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 1);
        assert_eq!(idx.line(3), 2);
        assert_eq!(idx.line(6), 3);
        assert_eq!(idx.line(7), 4);
        assert_eq!(idx.line(100), 4);
    }

    #[test]
    fn utf16_with_a_bom_becomes_utf8() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("kind: Pod\r\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(utf16_to_utf8(le), b"kind: Pod\r\n");
        let mut be = vec![0xFE, 0xFF];
        be.extend("é".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(utf16_to_utf8(be), "é".as_bytes());
        // An unpaired surrogate is not text: the bytes stay as they were.
        let broken = vec![0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00];
        assert_eq!(utf16_to_utf8(broken.clone()), broken);
        assert_eq!(utf16_to_utf8(b"PK\x03\x04".to_vec()), b"PK\x03\x04");
    }

    #[test]
    fn bom_is_stripped_and_bad_utf8_names_the_line() {
        let f = SourceFile {
            path: "x".into(),
            display: Arc::from("x"),
            bytes: b"\xEF\xBB\xBFa: 1\n".to_vec(),
            explicit: true,
            archive: None,
            in_place: false,
        };
        assert_eq!(f.text().ok(), Some("a: 1\n"));
        let bad = SourceFile {
            bytes: b"a: 1\nb: \xff\n".to_vec(),
            ..f
        };
        let err = bad.text().err().map(|e| e.line);
        assert_eq!(err, Some(Some(2)));
    }
}
