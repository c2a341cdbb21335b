//! A reader for the YAML that nearly every manifest, Compose file and VM spec is written in:
//! block mappings and sequences, one-line scalars (plain, single- and double-quoted), literal
//! block scalars, and flow collections that close on the line they open. It feeds the same
//! [`Builder`] as the full parser, with the positions the full parser reports, at a tenth of
//! its cost per byte (the full parser is a third of a Kubernetes scan).
//!
//! It never decides anything the full parser could decide differently: at the first thing
//! outside that subset (anchors, aliases, tags, folded or indented block scalars, multi-line
//! plain or quoted scalars, flow collections over several lines, complex keys, directives,
//! tabs, control characters) or at anything invalid, it gives up, and the caller reads the
//! whole stream again with `granit-parser`. A test compares the two trees on every YAML file
//! of the repository and on generated variations of them.

use std::borrow::Cow;

use granit_parser::ScalarStyle;

use super::{Builder, Position};

/// The stream is outside the subset (or invalid, or over a budget): read it with the full
/// parser, which has the final word, error messages included.
#[derive(Debug)]
pub(super) struct GiveUp {
    /// The line the reader was on (for tests that ask why).
    #[cfg_attr(not(test), allow(dead_code))]
    pub line: u32,
}

/// Something outside the subset, somewhere on the reader's current line.
struct Outside;

type Step<T = ()> = Result<T, Outside>;

/// Reads `text` into `builder`; on [`GiveUp`] the builder holds a partial stream and must be
/// dropped.
pub(super) fn read(text: &str, builder: &mut Builder) -> Result<(), GiveUp> {
    if !plain_characters(text) {
        return Err(GiveUp { line: 0 });
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        line_end: 0,
        counted: (0, 0),
        out: builder,
    };
    reader.set_line(0);
    reader
        .stream()
        .map_err(|Outside| GiveUp { line: reader.line })
}

/// No tab, no lone carriage return, no byte-order mark, no character the full parser refuses
/// or reads as a line break (NEL, LS, PS), and nothing else that is not printable.
fn plain_characters(text: &str) -> bool {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' | 0x20..=0x7E => {}
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            0x80.. => {
                // Rare: the rest is judged a character at a time.
                return text[i..].char_indices().all(|(j, c)| match c {
                    '\n' | ' '..='~' => true,
                    '\r' => bytes.get(i + j + 1) == Some(&b'\n'),
                    '\u{2028}' | '\u{2029}' | '\u{feff}' => false,
                    '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'.. => true,
                    _ => false,
                });
            }
            _ => return false,
        }
    }
    true
}

struct Reader<'t, 'b> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// The line of `pos`, from 1.
    line: u32,
    line_start: usize,
    /// Where the current line's content ends (before `\n` or `\r\n`).
    line_end: usize,
    /// A byte offset on the current line and its column in characters: columns are counted
    /// on from there, so that a line of a million flow entries (a minified list) is counted
    /// once, not once per entry.
    counted: (usize, usize),
    out: &'b mut Builder,
}

/// What a line holds, seen from its indentation.
enum Line {
    End,
    /// `---` (a comment may follow).
    DocumentStart,
    /// `...`: left to the full parser, wherever it is.
    DocumentEnd,
    /// Content starting at this many spaces.
    Content(usize),
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'t> Reader<'t, '_> {
    fn set_line(&mut self, start: usize) {
        self.line_start = start;
        self.pos = start;
        self.counted = (start, 0);
        let end = memchr_newline(self.bytes, start);
        self.line_end = if end > start && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
    }

    /// Moves to the start of the next line; false at the end of the text.
    fn next_line(&mut self) -> bool {
        let newline = memchr_newline(self.bytes, self.line_start);
        if newline >= self.bytes.len() {
            self.pos = self.line_end;
            return false;
        }
        self.line += 1;
        self.set_line(newline + 1);
        true
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.line_end).then(|| self.bytes[self.pos])
    }

    fn peek_at(&self, at: usize) -> Option<u8> {
        (at < self.line_end).then(|| self.bytes[at])
    }

    /// A position the builder understands: the line and the column in characters, from 1.
    fn position(&mut self, at: usize) -> Position {
        let (from, mut chars) = self.counted;
        let from = if at >= from {
            from
        } else {
            // Behind the last count (rare): from the line's start.
            chars = 0;
            self.line_start
        };
        let between = &self.text[from..at];
        chars += if between.is_ascii() {
            between.len()
        } else {
            between.chars().count()
        };
        self.counted = (at, chars);
        Position {
            line: self.line,
            column: u32::try_from(chars + 1).unwrap_or(u32::MAX),
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// After a token: only spaces and a comment may follow on this line.
    fn rest_is_blank(&mut self) -> bool {
        let before = self.pos;
        self.skip_spaces();
        match self.peek() {
            None => true,
            Some(b'#') => self.pos > before,
            Some(_) => false,
        }
    }

    /// Moves past blank and comment lines to the next line with content, and says what it is.
    /// The current line is assumed done.
    fn next_content(&mut self) -> Line {
        loop {
            if !self.next_line() {
                return Line::End;
            }
            if let Some(line) = self.classify() {
                return line;
            }
        }
    }

    /// What the current line (from its start) holds; None for a blank or comment line.
    fn classify(&mut self) -> Option<Line> {
        self.pos = self.line_start;
        self.skip_spaces();
        let indent = self.pos - self.line_start;
        match self.peek() {
            None | Some(b'#') => None,
            Some(b'-')
                if indent == 0
                    && self.bytes[self.pos..self.line_end].starts_with(b"---")
                    && matches!(self.peek_at(self.pos + 3), None | Some(b' ')) =>
            {
                Some(Line::DocumentStart)
            }
            Some(b'.')
                if indent == 0
                    && self.bytes[self.pos..self.line_end].starts_with(b"...")
                    && matches!(self.peek_at(self.pos + 3), None | Some(b' ')) =>
            {
                Some(Line::DocumentEnd)
            }
            Some(_) => Some(Line::Content(indent)),
        }
    }

    fn stream(&mut self) -> Step {
        let mut line = match self.classify() {
            Some(line) => line,
            None => self.next_content(),
        };
        loop {
            match line {
                Line::End => return Ok(()),
                Line::DocumentEnd => return Err(Outside),
                Line::DocumentStart => {
                    let at = self.position(self.pos);
                    self.out.document_start(at).map_err(|_| Outside)?;
                    self.pos += 3;
                    if !self.rest_is_blank() {
                        return Err(Outside);
                    }
                    line = self.next_content();
                    if let Line::Content(indent) = line {
                        line = self.document(indent)?;
                    } else {
                        self.out.document_end();
                    }
                }
                Line::Content(indent) => {
                    let at = self.position(self.pos);
                    self.out.document_start(at).map_err(|_| Outside)?;
                    line = self.document(indent)?;
                }
            }
        }
    }

    /// One document's root node, at `indent`; the line after it must start a new document or
    /// end the stream.
    fn document(&mut self, indent: usize) -> Step<Line> {
        let first = self.lead()?;
        if !matches!(first, Lead::Sequence | Lead::Key) {
            // A scalar at the root may go on over several lines: the full parser reads those.
            return Err(Outside);
        }
        let after = self.block_node(indent, first)?;
        if matches!(after, Line::Content(_)) {
            return Err(Outside);
        }
        self.out.document_end();
        Ok(after)
    }

    /// What the token at `pos` starts.
    fn lead(&self) -> Step<Lead> {
        let Some(b) = self.peek() else {
            return Ok(Lead::Empty);
        };
        let next = self.peek_at(self.pos + 1);
        let lead = match b {
            b'-' if matches!(next, None | Some(b' ')) => Lead::Sequence,
            b'#' => Lead::Empty,
            b'[' | b'{' => Lead::Flow,
            b'|' | b'>' => Lead::BlockScalar,
            b'"' | b'\'' => {
                let end = self.quoted_end(self.pos)?;
                if self.is_key_colon(end) {
                    Lead::Key
                } else {
                    Lead::Scalar
                }
            }
            _ => {
                if !plain_start(b, next, false) {
                    return Err(Outside);
                }
                let end = self.plain_end(self.pos, false)?;
                if self.is_key_colon(end) {
                    // Longer keys are an error the full parser words.
                    if end - self.pos > 1024 {
                        return Err(Outside);
                    }
                    Lead::Key
                } else {
                    Lead::Scalar
                }
            }
        };
        Ok(lead)
    }

    /// After a key's text (and any spaces), a `:` that ends the line or is followed by a
    /// space.
    fn is_key_colon(&self, mut at: usize) -> bool {
        while self.peek_at(at) == Some(b' ') {
            at += 1;
        }
        self.peek_at(at) == Some(b':') && matches!(self.peek_at(at + 1), None | Some(b' '))
    }

    /// A block node whose first token is at `pos`, `indent` columns in (the column of that
    /// token, which only spaces and `- ` precede). Returns the line that follows it.
    fn block_node(&mut self, indent: usize, lead: Lead) -> Step<Line> {
        match lead {
            Lead::Sequence => self.block_sequence(indent),
            Lead::Key => self.block_mapping(indent),
            // A block scalar's indentation is its parent's business: callers read those.
            Lead::Empty | Lead::BlockScalar => Err(Outside),
            Lead::Flow | Lead::Scalar => {
                self.inline_value()?;
                if !self.rest_is_blank() {
                    return Err(Outside);
                }
                Ok(self.next_content())
            }
        }
    }

    fn block_sequence(&mut self, indent: usize) -> Step<Line> {
        let at = self.position(self.pos);
        self.out.start(true, 0, None, at).map_err(|_| Outside)?;
        loop {
            // At the `-` of an entry.
            self.pos += 1;
            self.skip_spaces();
            let lead = self.lead()?;
            let line = match lead {
                Lead::Empty => self.value_below(indent, true)?,
                Lead::BlockScalar => self.block_scalar(indent)?,
                _ => {
                    let column = self.pos - self.line_start;
                    self.block_node(column, lead)?
                }
            };
            match line {
                Line::Content(i) if i == indent && self.at_sequence_entry() => continue,
                Line::Content(i) if i > indent => return Err(Outside),
                line => {
                    let at = self.position(self.pos);
                    self.out.end(at).map_err(|_| Outside)?;
                    return Ok(line);
                }
            }
        }
    }

    fn at_sequence_entry(&self) -> bool {
        self.peek() == Some(b'-') && matches!(self.peek_at(self.pos + 1), None | Some(b' '))
    }

    /// A value that is not on its key's (or `-`'s) line: a more indented node on the next
    /// lines, an indentless sequence under a key, or nothing (null).
    fn value_below(&mut self, indent: usize, in_sequence: bool) -> Step<Line> {
        // An empty value sits where the line ends, comments included.
        let empty_at = self.position(self.line_end);
        let line = self.next_content();
        match line {
            Line::Content(i) if i > indent => {
                let lead = self.lead()?;
                if let Lead::Empty | Lead::BlockScalar = lead {
                    return Err(Outside);
                }
                self.block_node(i, lead)
            }
            Line::Content(i) if i == indent && !in_sequence && self.at_sequence_entry() => {
                self.block_sequence(indent)
            }
            line => {
                self.out
                    .scalar(Cow::Borrowed("~"), ScalarStyle::Plain, 0, None, empty_at)
                    .map_err(|_| Outside)?;
                Ok(line)
            }
        }
    }

    fn block_mapping(&mut self, indent: usize) -> Step<Line> {
        let at = self.position(self.pos);
        self.out.start(false, 0, None, at).map_err(|_| Outside)?;
        loop {
            // At a key.
            let key_at = self.position(self.pos);
            match self.peek() {
                Some(b'"' | b'\'') => self.quoted()?,
                _ => {
                    let start = self.pos;
                    let end = self.plain_end(start, false)?;
                    self.emit_plain(start, end, key_at)?;
                }
            }
            self.skip_spaces();
            if self.peek() != Some(b':') {
                return Err(Outside);
            }
            self.pos += 1;
            self.skip_spaces();
            let lead = self.lead()?;
            let line = match lead {
                Lead::Empty => self.value_below(indent, false)?,
                // `key: - x` is invalid, `key: a: b` is a compact mapping the full parser refuses.
                Lead::Sequence | Lead::Key => return Err(Outside),
                Lead::BlockScalar => self.block_scalar(indent)?,
                Lead::Flow | Lead::Scalar => {
                    self.inline_value()?;
                    if !self.rest_is_blank() {
                        return Err(Outside);
                    }
                    self.next_content()
                }
            };
            match line {
                Line::Content(i) if i == indent => {
                    if self.at_sequence_entry() {
                        return Err(Outside);
                    }
                    match self.lead()? {
                        Lead::Key => continue,
                        _ => return Err(Outside),
                    }
                }
                Line::Content(i) if i > indent => return Err(Outside),
                line => {
                    let at = self.position(self.pos);
                    self.out.end(at).map_err(|_| Outside)?;
                    return Ok(line);
                }
            }
        }
    }

    /// A scalar or a flow collection on the current line, at `pos`.
    fn inline_value(&mut self) -> Step {
        match self.peek() {
            Some(b'[' | b'{') => self.flow_collection(),
            Some(b'"' | b'\'') => self.quoted(),
            Some(b) if plain_start(b, self.peek_at(self.pos + 1), false) => {
                let start = self.pos;
                let at = self.position(start);
                let end = self.plain_end(start, false)?;
                self.emit_plain(start, end, at)
            }
            _ => Err(Outside),
        }
    }

    /// Where a plain scalar starting at `start` ends (spaces before that end excluded); in a
    /// flow collection (`flow`) the flow indicators end it too.
    fn plain_end(&self, start: usize, flow: bool) -> Step<usize> {
        let mut i = start;
        let mut end = start;
        while i < self.line_end {
            let b = self.bytes[i];
            match b {
                b':' => {
                    let next = self.peek_at(i + 1);
                    if matches!(next, None | Some(b' ')) {
                        break;
                    }
                    if flow && next.is_some_and(is_flow_indicator) {
                        // `[a:]` is a one-pair mapping, or not, depending on who reads it.
                        return Err(Outside);
                    }
                }
                b'#' if i > start && self.bytes[i - 1] == b' ' => break,
                b if flow && is_flow_indicator(b) => break,
                _ => {}
            }
            i += 1;
            if b != b' ' {
                end = i;
            }
        }
        if end == start {
            return Err(Outside);
        }
        Ok(end)
    }

    fn emit_plain(&mut self, start: usize, end: usize, at: Position) -> Step {
        self.pos = end;
        self.out
            .scalar(
                Cow::Borrowed(&self.text[start..end]),
                ScalarStyle::Plain,
                0,
                None,
                at,
            )
            .map_err(|_| Outside)
    }

    /// The byte after the closing quote of the quoted scalar at `start`, on this line.
    fn quoted_end(&self, start: usize) -> Step<usize> {
        let quote = self.bytes[start];
        let mut i = start + 1;
        while i < self.line_end {
            let b = self.bytes[i];
            if b == quote {
                if quote == b'\'' && self.peek_at(i + 1) == Some(b'\'') {
                    i += 2;
                    continue;
                }
                return Ok(i + 1);
            }
            if quote == b'"' && b == b'\\' {
                i += 2;
                continue;
            }
            i += 1;
        }
        Err(Outside)
    }

    fn quoted(&mut self) -> Step {
        let start = self.pos;
        let at = self.position(start);
        let end = self.quoted_end(start)?;
        let inner = &self.text[start + 1..end - 1];
        let (text, style) = if self.bytes[start] == b'\'' {
            let text = if inner.contains('\'') {
                Cow::Owned(inner.replace("''", "'"))
            } else {
                Cow::Borrowed(inner)
            };
            (text, ScalarStyle::SingleQuoted)
        } else {
            let text = if inner.contains('\\') {
                Cow::Owned(unescape(inner).ok_or(Outside)?)
            } else {
                Cow::Borrowed(inner)
            };
            (text, ScalarStyle::DoubleQuoted)
        };
        self.pos = end;
        self.out
            .scalar(text, style, 0, None, at)
            .map_err(|_| Outside)
    }

    /// `[ ... ]` or `{ ... }` closing on this line.
    fn flow_collection(&mut self) -> Step {
        let open = self.bytes[self.pos];
        let at = self.position(self.pos);
        let seq = open == b'[';
        let close = if seq { b']' } else { b'}' };
        self.out.start(seq, 0, None, at).map_err(|_| Outside)?;
        self.pos += 1;
        self.skip_spaces();
        if self.peek() == Some(close) {
            self.pos += 1;
            return self.out.end(at).map_err(|_| Outside);
        }
        loop {
            if seq {
                self.flow_node()?;
            } else {
                // A key is a scalar; after a quoted one, `:` may touch the value (JSON).
                let quoted = matches!(self.peek(), Some(b'"' | b'\''));
                match self.peek() {
                    Some(b'"' | b'\'') => self.quoted()?,
                    Some(b) if plain_start(b, self.peek_at(self.pos + 1), true) => {
                        let start = self.pos;
                        let key_at = self.position(start);
                        let end = self.plain_end(start, true)?;
                        self.emit_plain(start, end, key_at)?;
                    }
                    _ => return Err(Outside),
                }
                self.skip_spaces();
                if self.peek() != Some(b':') {
                    return Err(Outside);
                }
                self.pos += 1;
                if !quoted && self.peek() != Some(b' ') {
                    return Err(Outside);
                }
                self.skip_spaces();
                self.flow_node()?;
            }
            self.skip_spaces();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_spaces();
                    // A trailing comma, or a comment: leave those to the full parser.
                    if matches!(self.peek(), None | Some(b']' | b'}' | b',' | b'#')) {
                        return Err(Outside);
                    }
                }
                Some(b) if b == close => {
                    self.pos += 1;
                    let end_at = self.position(self.pos);
                    return self.out.end(end_at).map_err(|_| Outside);
                }
                _ => return Err(Outside),
            }
        }
    }

    /// An entry of a flow collection (not a key).
    fn flow_node(&mut self) -> Step {
        match self.peek() {
            Some(b'[' | b'{') => self.flow_collection(),
            Some(b'"' | b'\'') => {
                self.quoted()?;
                // `["a": b]` is a one-pair mapping in a sequence.
                self.skip_spaces();
                if self.peek() == Some(b':') {
                    return Err(Outside);
                }
                Ok(())
            }
            Some(b) if plain_start(b, self.peek_at(self.pos + 1), true) => {
                let start = self.pos;
                let at = self.position(start);
                let end = self.plain_end(start, true)?;
                let after = self.peek_at(end);
                if after == Some(b':') {
                    return Err(Outside);
                }
                self.emit_plain(start, end, at)
            }
            _ => Err(Outside),
        }
    }

    /// A literal or folded block scalar (`|`, `|-`, `>`, `>-`) whose indentation its first content
    /// line sets.
    /// Returns the line after it.
    fn block_scalar(&mut self, parent: usize) -> Step<Line> {
        let folded = self.bytes[self.pos] == b'>';
        self.pos += 1;
        let strip = self.peek() == Some(b'-');
        if strip {
            self.pos += 1;
        }
        if !self.rest_is_blank() {
            // An indentation indicator, or text after the indicator.
            return Err(Outside);
        }
        let mut text = String::new();
        let mut block_indent: Option<usize> = None;
        // Where the full parser places the scalar: its first content, or (empty) the start of
        // the line that ends it.
        let mut at = None;
        // Line breaks after the last content line, held back until chomping decides.
        let mut pending_breaks = 0usize;
        let mut widest_leading_blank = 0;
        // Whether the last content line was indented more than the block (None before the
        // first).
        let mut previous: Option<bool> = None;
        let after = loop {
            if !self.next_line() {
                break Line::End;
            }
            let line = &self.bytes[self.line_start..self.line_end];
            let spaces = line.iter().take_while(|b| **b == b' ').count();
            let blank = spaces == line.len();
            let indent = match block_indent {
                None if blank => {
                    widest_leading_blank = widest_leading_blank.max(spaces);
                    pending_breaks += 1;
                    continue;
                }
                None => {
                    if spaces <= parent {
                        // No content: the scalar is empty, placed where this line's token
                        // starts (a comment there is not a token: left to the full parser).
                        if line[spaces] == b'#' {
                            return Err(Outside);
                        }
                        at = Some(Position {
                            line: self.line,
                            column: u32::try_from(spaces + 1).unwrap_or(u32::MAX),
                        });
                        break self.classify_here();
                    }
                    // Leading blank lines wider than the content are an error.
                    if widest_leading_blank > spaces {
                        return Err(Outside);
                    }
                    block_indent = Some(spaces);
                    at = Some(self.position(self.line_start + spaces));
                    spaces
                }
                Some(indent) if blank => {
                    if spaces > indent {
                        // Spaces beyond the indentation of an otherwise blank line are text.
                        return Err(Outside);
                    }
                    pending_breaks += 1;
                    continue;
                }
                Some(indent) if spaces < indent => break self.classify_here(),
                Some(indent) => indent,
            };
            let content = &self.text[self.line_start + indent..self.line_end];
            let more_indented = content.starts_with(' ');
            let breaks = match previous {
                // Folding: one break between two lines of text is a space; blank lines
                // between them are breaks; lines indented more keep their breaks.
                Some(false) if folded && !more_indented && pending_breaks == 0 => {
                    text.push(' ');
                    0
                }
                Some(false) if folded && !more_indented => pending_breaks,
                Some(_) => pending_breaks + 1,
                None => pending_breaks,
            };
            for _ in 0..breaks {
                text.push('\n');
            }
            pending_breaks = 0;
            previous = Some(more_indented);
            text.push_str(content);
        };
        if previous.is_some() && !strip {
            text.push('\n');
        }
        let Some(at) = at else {
            // Empty up to the end of the stream.
            return Err(Outside);
        };
        if matches!(after, Line::End) && !self.text.ends_with('\n') {
            // The last line has no break of its own.
            return Err(Outside);
        }
        // Clipping keeps the last content line's break, stripping (`-`) drops it; keeping the
        // blank lines after it too (`+`) is left to the full parser.
        self.out
            .scalar(
                Cow::Owned(text),
                if folded {
                    ScalarStyle::Folded
                } else {
                    ScalarStyle::Literal
                },
                0,
                None,
                at,
            )
            .map_err(|_| Outside)?;
        Ok(after)
    }

    /// The current line read as the start of what follows a block scalar.
    fn classify_here(&mut self) -> Line {
        match self.classify() {
            Some(line) => line,
            None => self.next_content(),
        }
    }
}

#[derive(Clone, Copy)]
enum Lead {
    /// Nothing more on the line (or a comment).
    Empty,
    /// `- `
    Sequence,
    /// A scalar followed by `: `.
    Key,
    Flow,
    BlockScalar,
    Scalar,
}

/// Whether a plain scalar may start with `b` (followed by `next`); in a flow collection
/// (`flow`), `-`, `?` and `:` may not be followed by a flow indicator either.
fn plain_start(b: u8, next: Option<u8>, flow: bool) -> bool {
    match b {
        b'-' | b'?' | b':' => {
            matches!(next, Some(n) if n != b' ' && !(flow && is_flow_indicator(n)))
        }
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' => false,
        _ => true,
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| from + i)
}

/// A double-quoted scalar's escapes; None for one this reader leaves to the full parser.
fn unescape(inner: &str) -> Option<String> {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next()? {
            '\\' => '\\',
            '"' => '"',
            '/' => '/',
            ' ' => ' ',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            'e' => '\u{1b}',
            'f' => '\u{c}',
            'v' => '\u{b}',
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            _ => return None,
        };
        out.push(decoded);
    }
    Some(out)
}

fn hex(chars: &mut std::str::Chars<'_>, digits: usize) -> Option<char> {
    let mut value = 0u32;
    for _ in 0..digits {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    char::from_u32(value)
}
