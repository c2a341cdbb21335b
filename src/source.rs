//! A file as read from disk, its text, and the one line table per file that turns byte
//! offsets into line numbers when a finding is printed.

use std::io::Read;
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

/// Opens a file without ever blocking: a FIFO named on the command line (or one that
/// replaced a regular file since the walk) would otherwise wait for a writer forever.
pub fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// An I/O error in words a user acts on.
pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => {
            "no such file or directory (removed while scanning?)".to_string()
        }
        _ => e.to_string(),
    }
}

/// The size cap of an auxiliary file (`--config` and `.fitscan.yaml`, `--rules` files,
/// `--baseline`, `--metrics`, `--catalog`): none of them comes near it, while `/dev/zero`
/// (or a committed link to it) would otherwise be read until memory runs out.
pub const MAX_AUXILIARY_SIZE: u64 = 64 * 1024 * 1024;

/// Why an auxiliary file could not be read: `NotFound` lets each caller say what was
/// missing in its own words; the rest is a message for after the file's path.
#[derive(Debug)]
pub enum AuxiliaryError {
    NotFound,
    Other(String),
}

/// Reads an auxiliary file the way inputs are read: regular files only (a FIFO, socket or
/// device is refused, never waited on), opened without blocking, the type checked on the
/// open handle, at most `MAX_AUXILIARY_SIZE` bytes, read once from that handle. A UTF-16
/// file with a BOM is re-encoded as UTF-8.
pub fn read_auxiliary(path: &Path) -> Result<Vec<u8>, AuxiliaryError> {
    read_auxiliary_capped(path, MAX_AUXILIARY_SIZE)
}

/// [`read_auxiliary`] with another cap (tests).
pub fn read_auxiliary_capped(path: &Path, cap: u64) -> Result<Vec<u8>, AuxiliaryError> {
    let failed = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            AuxiliaryError::NotFound
        } else {
            AuxiliaryError::Other(format!("cannot read: {}", io_message(&e)))
        }
    };
    let not_regular = || {
        AuxiliaryError::Other("not a regular file (a FIFO, socket or device is never read)".into())
    };
    // Checked before opening (a FIFO is never opened) and again on the open handle.
    if !std::fs::metadata(path).map_err(failed)?.is_file() {
        return Err(not_regular());
    }
    let file = open_nonblocking(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let too_big = |size: u64| {
        AuxiliaryError::Other(format!(
            "{size} bytes is larger than the {cap} byte limit of an auxiliary file"
        ))
    };
    if meta.len() > cap {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > cap {
        return Err(AuxiliaryError::Other(format!(
            "grew beyond the {cap} byte limit of an auxiliary file while being read"
        )));
    }
    Ok(crate::source::utf16_to_utf8(bytes))
}

/// [`read_auxiliary`] as text: not UTF-8 is an error naming the byte offset.
pub fn read_auxiliary_text(path: &Path) -> Result<String, AuxiliaryError> {
    let bytes = read_auxiliary(path)?;
    String::from_utf8(bytes).map_err(|e| {
        AuxiliaryError::Other(format!(
            "not valid UTF-8 (byte offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
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
