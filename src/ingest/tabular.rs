//! What the tabular VM inventories (RVTools CSV and XLSX, Azure Migrate CSV) share: text
//! decoding, delimiter sniffing, header normalisation, number parsing, a CSV reader that
//! survives broken rows, and the VM spec document every inventory row becomes.

use std::borrow::Cow;

use crate::model::ScanError;
use crate::node::Node;
use crate::source::SourceFile;

/// The text of a CSV export: UTF-8 (with or without a byte order mark), UTF-16 with a byte
/// order mark (Excel's "Unicode text"), or else Windows-1252, which is what Windows tools
/// write by default and which decodes any byte.
pub fn decode(file: &SourceFile) -> Cow<'_, str> {
    let bytes = file.bytes.as_slice();
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, _) = encoding.decode(bytes);
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text
        }
    }
}

/// The text of the first 64 KiB of a file, enough to recognise its header without
/// decoding a 16 MiB export several times while inputs take turns to look at it.
pub fn decode_head(file: &SourceFile) -> Cow<'_, str> {
    const HEAD: usize = 64 * 1024;
    if file.bytes.len() <= HEAD || encoding_rs::Encoding::for_bom(&file.bytes).is_some() {
        return decode(file);
    }
    let head = &file.bytes[..HEAD];
    match std::str::from_utf8(head) {
        Ok(t) => Cow::Borrowed(t),
        // A character cut at the boundary is not an encoding error.
        Err(e) if e.error_len().is_none() => {
            Cow::Borrowed(std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""))
        }
        Err(_) => encoding_rs::WINDOWS_1252.decode(head).0,
    }
}

/// The header line of a CSV export: the first non-empty line that is not Excel's
/// `sep=;` hint.
pub fn first_line(text: &str) -> &str {
    text.lines()
        .find(|l| !l.trim().is_empty() && sep_hint(l).is_none())
        .unwrap_or("")
}

/// The delimiter of Excel's `sep=;` first line, if the line is one.
fn sep_hint(line: &str) -> Option<u8> {
    let rest = line.trim().trim_matches('"').strip_prefix("sep=")?;
    match rest.as_bytes() {
        [d] => Some(*d),
        _ => None,
    }
}

/// The delimiter of a CSV text: Excel's `sep=` hint when present, else sniffed from the
/// header.
pub fn delimiter_of(text: &str) -> u8 {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .and_then(sep_hint)
        .unwrap_or_else(|| sniff_delimiter(first_line(text)))
}

/// The delimiter of a header line: the most frequent of comma, semicolon and tab outside
/// quotes (European Excel writes semicolons).
pub fn sniff_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|i| (counts[*i], usize::MAX - i))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// RVTools' tab prefixes in its internal header style (`vInfoVMName`, `vCPUSockets`).
const TAB_PREFIXES: &[&str] = &[
    "vinfo",
    "vcpu",
    "vmemory",
    "vdisk",
    "vpartition",
    "vsnapshot",
    "vtools",
    "vnetwork",
];

/// A header as a lookup key: lower case letters and digits only, `#` as `num`
/// (`In Use MiB` -> `inusemib`, `*Memory (In MB)` -> `memoryinmb`).
pub fn normalise_header(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    for c in h.chars() {
        if c == '#' {
            out.push_str("num");
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The normalised header without an RVTools tab prefix (`vinfovmname` -> `vmname`), and
/// the tab it named, if any.
pub fn strip_tab_prefix(norm: &str) -> (&str, Option<&'static str>) {
    for p in TAB_PREFIXES {
        if let Some(rest) = norm.strip_prefix(p)
            && !rest.is_empty()
        {
            return (rest, Some(p));
        }
    }
    (norm, None)
}

/// Column positions by normalised name.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    names: Vec<String>,
}

impl Columns {
    /// From raw header cells; RVTools tab prefixes are removed so that both header styles
    /// meet on the same keys.
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Self {
        Columns {
            names: headers
                .iter()
                .map(|h| {
                    strip_tab_prefix(&normalise_header(h.as_ref()))
                        .0
                        .to_string()
                })
                .collect(),
        }
    }
    /// The first column whose key is one of `keys` (in the order of `keys`).
    pub fn find(&self, keys: &[&str]) -> Option<usize> {
        keys.iter()
            .find_map(|k| self.names.iter().position(|n| n == k))
    }
    pub fn has(&self, key: &str) -> bool {
        self.names.iter().any(|n| n == key)
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A number as inventories write it: `4096`, `4,096` (a comma before three digits groups
/// thousands), `1,5` or `1.5` (a decimal separator), `1.234.567` and `1.234,5` (several
/// separators), spaces and non-breaking spaces ignored. An empty cell is `Ok(None)`.
pub fn parse_number(text: &str) -> Result<Option<f64>, String> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || format!("`{}` is not a number", text.trim());
    let separators: Vec<(usize, char)> = t
        .char_indices()
        .filter(|(_, c)| *c == ',' || *c == '.')
        .collect();
    let canonical = match separators.as_slice() {
        [] => t.clone(),
        [(i, c)] => {
            let digits_after = t.len() - i - 1;
            let before = &t[..*i];
            // `4,096` is four thousand and ninety-six; `4,5` and `0,125` are fractions.
            let thousands = digits_after == 3
                && *c == ','
                && !before.is_empty()
                && before.trim_start_matches('-') != "0";
            if thousands {
                t.replace(',', "")
            } else {
                t.replace(',', ".")
            }
        }
        many => {
            let last = many[many.len() - 1];
            let grouping = many[..many.len() - 1].iter().all(|(_, c)| *c != last.1)
                || many.iter().all(|(_, c)| *c == many[0].1);
            if !grouping {
                return Err(bad());
            }
            if many.iter().all(|(_, c)| *c == many[0].1) {
                // `1,234,567` or `1.234.567`: every separator groups thousands.
                t.replace([',', '.'], "")
            } else {
                // `1.234,5` or `1,234.5`: the last one is the decimal point.
                let mut s = String::with_capacity(t.len());
                for (i, c) in t.char_indices() {
                    if i == last.0 {
                        s.push('.');
                    } else if c != ',' && c != '.' {
                        s.push(c);
                    }
                }
                s
            }
        }
    };
    match canonical.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(bad()),
    }
}

/// `True`/`False`, `Yes`/`No`, `1`/`0`, as inventories write flags. Empty is `None`.
pub fn parse_bool(text: &str) -> Result<Option<bool>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "y" | "1" | "wahr" | "vrai" | "ja" => Ok(Some(true)),
        "false" | "no" | "n" | "0" | "falsch" | "faux" | "nein" => Ok(Some(false)),
        _ => Err(format!("`{}` is not True or False", text.trim())),
    }
}

/// What [`read_csv`] hands over: the header once, then every well-formed row.
pub enum CsvRecord<'r> {
    Header(&'r csv::StringRecord),
    Row(CsvRow<'r>),
}

/// One data row of a CSV file: its first line, and its cells.
pub struct CsvRow<'r> {
    pub line: u32,
    pub cells: &'r csv::StringRecord,
}

impl CsvRow<'_> {
    pub fn get(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.cells.get(c)).map_or("", str::trim)
    }
}

/// The most characters a cell holds (Excel's own limit): a longer one is no inventory's
/// value, and copied into names and messages it would multiply through the report.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The most rows a sheet or CSV file is read for (Excel's own limit).
pub const MAX_ROWS: usize = 1_048_576;

/// The error for a row with a cell longer than [`MAX_CELL_CHARS`], if it has one.
pub fn long_cell<'c>(cells: impl Iterator<Item = &'c str>) -> Option<String> {
    let longest = cells
        // Bytes first: only a long cell has its characters counted.
        .filter(|c| c.len() > MAX_CELL_CHARS)
        .map(|c| c.chars().count())
        .max()
        .filter(|n| *n > MAX_CELL_CHARS)?;
    Some(format!(
        "a cell of {longest} characters is longer than a spreadsheet cell holds (limit {MAX_CELL_CHARS}): this row is skipped"
    ))
}

/// The error once a sheet or file has more than [`MAX_ROWS`] rows.
pub fn too_many_rows() -> String {
    format!(
        "more than {MAX_ROWS} rows (the most a spreadsheet holds): the rows after this one are not read"
    )
}

/// Reads a CSV text row by row. The header is the first non-empty record; each later
/// record reaches `on_row` with its line. A record whose cell count differs from the
/// header's is an error naming its line and is skipped; an unterminated quote (a record
/// that swallowed the following lines) is reported at its line and reading resumes on the
/// next line, so that one broken row never loses the rest of the file.
pub fn read_csv(
    file: &SourceFile,
    text: &str,
    delimiter: u8,
    mut on_record: impl FnMut(CsvRecord<'_>) -> Result<(), String>,
) -> Vec<ScanError> {
    let mut errors = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut base_line = 1u32;
    let mut header_len: Option<usize> = None;
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    'outer: while start < bytes.len() {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(&bytes[start..]);
        loop {
            let record_line = line_at(base_line, reader.position());
            let record_offset = reader.position().byte();
            match reader.read_record(&mut record) {
                Ok(false) => break 'outer,
                Ok(true) => {}
                Err(e) => {
                    // Only UTF-8 errors are possible on &str input; report and go on.
                    errors.push(ScanError::parse(
                        &file.display,
                        Some(record_line),
                        format!("unreadable row: {e}"),
                    ));
                    continue;
                }
            }
            let next_line = line_at(base_line, reader.position());
            if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
                continue;
            }
            if header_len.is_none()
                && record.len() <= 2
                && record
                    .get(0)
                    .is_some_and(|c| sep_hint(c).is_some() || c.trim() == "sep=")
            {
                continue;
            }
            if let Some(message) = long_cell(record.iter()) {
                errors.push(ScanError::parse(&file.display, Some(record_line), message));
                continue;
            }
            rows += 1;
            if rows > MAX_ROWS {
                errors.push(ScanError::parse(
                    &file.display,
                    Some(record_line),
                    too_many_rows(),
                ));
                break 'outer;
            }
            let Some(expected) = header_len else {
                if let Err(message) = on_record(CsvRecord::Header(&record)) {
                    errors.push(ScanError::parse(&file.display, Some(record_line), message));
                    return errors;
                }
                header_len = Some(record.len());
                continue;
            };
            let spans_lines =
                next_line > record_line + 1 && record.iter().any(|c| c.contains('\n'));
            // A quote opened in the last cell and never closed swallows the rest of the file
            // into that cell, with the header's cell count: such a record runs to the end of
            // the text with an odd number of quotes (quotes inside a quoted cell are doubled).
            let record_start = start + usize::try_from(record_offset).unwrap_or(0);
            let unterminated = spans_lines
                && usize::try_from(reader.position().byte()).unwrap_or(usize::MAX)
                    >= bytes.len() - start
                && bytes
                    .get(record_start..)
                    .unwrap_or_default()
                    .iter()
                    .filter(|b| **b == b'"')
                    .count()
                    % 2
                    == 1;
            if record.len() == expected && !unterminated {
                if let Err(message) = on_record(CsvRecord::Row(CsvRow {
                    line: record_line,
                    cells: &record,
                })) {
                    errors.push(ScanError::parse(&file.display, Some(record_line), message));
                }
                continue;
            }
            if spans_lines {
                errors.push(ScanError::parse(
                    &file.display,
                    Some(record_line),
                    "unterminated quote: this row is skipped (close the quote or remove it)",
                ));
                // Resume on the line after the one that opened the quote.
                match bytes[record_start..].iter().position(|b| *b == b'\n') {
                    Some(nl) => {
                        start = record_start + nl + 1;
                        base_line = record_line + 1;
                        continue 'outer;
                    }
                    None => break 'outer,
                }
            }
            errors.push(ScanError::parse(
                &file.display,
                Some(record_line),
                format!(
                    "row has {} cell(s) but the header has {expected}: this row is skipped",
                    record.len()
                ),
            ));
        }
    }
    errors
}

/// The absolute line of a reader position, for a reader started at `base_line`.
fn line_at(base_line: u32, pos: &csv::Position) -> u32 {
    let relative = u32::try_from(pos.line()).unwrap_or(u32::MAX).max(1);
    base_line.saturating_add(relative - 1)
}

/// Builds nodes of a VM spec document, every one at the inventory row's line, so that a
/// finding on any field points at the row.
pub struct SpecBuilder {
    line: u32,
    spec: Node,
}

impl SpecBuilder {
    pub fn new(line: u32) -> Self {
        SpecBuilder {
            line,
            spec: Node::map(line),
        }
    }
    pub fn line(&self) -> u32 {
        self.line
    }
    pub fn text(&mut self, path: &str, value: impl Into<String>) {
        let value = value.into();
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return;
        }
        // Cells arrive trimmed: the text is kept as it came, not copied (a copy per field
        // per row of a 50,000-row inventory).
        let value = if trimmed.len() == value.len() {
            value
        } else {
            trimmed.to_string()
        };
        self.set(path, Node::str(value, self.line));
    }
    pub fn number(&mut self, path: &str, value: f64) {
        self.set(path, Node::float(value, self.line));
    }
    pub fn set(&mut self, path: &str, node: Node) {
        let line = self.line;
        set_located(&mut self.spec, path, node, line);
    }
    pub fn spec(&self) -> &Node {
        &self.spec
    }
    pub fn spec_mut(&mut self) -> &mut Node {
        &mut self.spec
    }
    /// The VM document (`metadata.name`, `spec`): the VM spec shape the rules read, without
    /// `apiVersion` and `kind`, which no rule needs and 50,000 rows would repeat.
    pub fn into_doc(self, name: &str) -> Node {
        let line = self.line;
        let mut doc = Node::map(line);
        let mut metadata = Node::map(line);
        metadata.insert("name", Node::str(name, line));
        doc.insert("metadata", metadata);
        doc.insert("spec", self.spec);
        doc
    }
}

/// Gives back the spare capacity of every mapping and list in the tree: an inventory of
/// 50,000 VMs keeps 50,000 of these documents alive until they are assessed.
pub fn shrink(node: &mut Node) {
    match &mut node.value {
        crate::node::Value::Map(entries) => {
            crate::model::shrink_exact(entries);
            for e in entries.iter_mut() {
                shrink(&mut e.value);
            }
        }
        crate::node::Value::Seq(items) => {
            crate::model::shrink_exact(items);
            items.iter_mut().for_each(shrink);
        }
        _ => {}
    }
}

/// `insert_path` whose intermediate mappings carry `line` (not 0), so that a rule pointing
/// at `spec.cpu` finds the row.
pub fn set_located(root: &mut Node, dotted: &str, value: Node, line: u32) {
    let mut parts = dotted.split('.').peekable();
    let mut cur = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(part, value);
            return;
        }
        if cur.get(part).and_then(Node::as_map).is_none() {
            cur.insert(part, Node::map(line));
        }
        match cur.get_mut(part) {
            Some(next) => cur = next,
            None => return,
        }
    }
}

/// A size in MiB as the text a VM spec reads (`8192 MiB`), so that messages quote it in
/// the inventory's own unit.
pub fn mib(value: f64) -> String {
    format!("{} MiB", crate::node::format_number(value))
}

pub fn gib(value: f64) -> String {
    format!("{} GiB", crate::node::format_number(value))
}

/// Inventory extras of the VM spec shape (`spec.datacenter`, `cluster`, `host`, `vcenter`,
/// `vapp`, `powerState`, `hardwareVersion`, `tools`, `snapshots`, `reservations`): labels for the estate
/// summary, facts for the rules, notes for the reader. Errors are (node, field, message).
pub struct Extras {
    pub labels: crate::model::Labels,
    pub notes: Vec<String>,
    pub errors: Vec<(Node, &'static str, String)>,
}

/// Whether the platform sees the server's health: `spec.app.monitoring` when the owner
/// says (`none` is no), else the VMware Tools heartbeat that vSphere HA watches (running or
/// merely outdated tools still send it). Unknown when neither is known.
fn health_signal(spec: &Node, facts: &Node) -> Option<(bool, u32)> {
    if let Some(m) = spec.get("app").and_then(|a| a.get("monitoring")) {
        let text = m.display_text().to_ascii_lowercase();
        return Some((!matches!(text.as_str(), "none" | "no" | "false"), m.line));
    }
    let tools = facts.get("tools_status")?;
    match tools.as_str()? {
        "ok" | "old" => Some((true, tools.line)),
        "not-running" | "not-installed" => Some((false, tools.line)),
        _ => None,
    }
}

pub fn inventory_extras(spec: &Node, facts: &mut Node) -> Extras {
    let mut x = Extras {
        labels: crate::model::Labels::default(),
        notes: Vec::new(),
        errors: Vec::new(),
    };
    for key in ["datacenter", "cluster", "host", "vcenter", "vapp"] {
        if let Some(v) = spec
            .get(key)
            .and_then(Node::scalar_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        {
            x.labels.insert(key, v);
        }
    }
    if let Some(node) = spec.get("powerState").or_else(|| spec.get("power_state")) {
        match power_state(&node.display_text()) {
            Some(state) => {
                facts.insert("power_state", Node::str(state, node.line));
                facts.insert("powered_off", Node::bool(state == "poweredOff", node.line));
                x.labels.insert("power_state", state);
                match state {
                    "poweredOff" => x.notes.push("powered off".into()),
                    "suspended" => x.notes.push("suspended".into()),
                    _ => {}
                }
            }
            None => x.errors.push((
                node.clone(),
                "spec.powerState",
                format!(
                    "`{}` is not a power state (poweredOn, poweredOff or suspended)",
                    node.display_text()
                ),
            )),
        }
    }
    if let Some(node) = spec.get("hardwareVersion") {
        match hardware_version(&node.display_text()) {
            Some(v) => facts.insert("hardware_version", Node::int(v, node.line)),
            None => x.errors.push((
                node.clone(),
                "spec.hardwareVersion",
                format!(
                    "`{}` is not a virtual hardware version (vmx-19 or 19)",
                    node.display_text()
                ),
            )),
        }
    }
    if let Some(tools) = spec.get("tools") {
        let status = if tools.as_map().is_some() {
            tools.get("status")
        } else {
            Some(tools)
        };
        if let Some(status) = status {
            let text = status.display_text();
            match tools_status(&text) {
                Some(s) => facts.insert("tools_status", Node::str(s, status.line)),
                None => x.errors.push((
                    status.clone(),
                    "spec.tools.status",
                    format!(
                        "`{text}` is not a VMware Tools status (toolsOk, toolsOld, toolsNotRunning, toolsNotInstalled)"
                    ),
                )),
            }
        }
        if let Some(v) = tools.get("version").and_then(Node::scalar_text) {
            facts.insert(
                "tools_version",
                Node::str(v, tools.get("version").map_or(0, |n| n.line)),
            );
        }
    }
    if let Some((signal, line)) = health_signal(spec, facts) {
        facts.insert("health_signal", Node::bool(signal, line));
    }
    if let Some(snaps) = spec.get("snapshots") {
        let count = match &snaps.value {
            crate::node::Value::Seq(items) => Some(items.len() as f64),
            crate::node::Value::Map(_) => snaps.get("count").and_then(Node::as_f64),
            _ => snaps.as_f64(),
        };
        match count {
            Some(n) if n >= 0.0 && n.fract() == 0.0 => {
                facts.insert("snapshot_count", Node::float(n, snaps.line));
                if let Some(oldest) = snaps.get("oldest").and_then(Node::scalar_text) {
                    facts.insert("oldest_snapshot", Node::str(oldest, snaps.line));
                }
            }
            _ => x.errors.push((
                snaps.clone(),
                "spec.snapshots",
                "expected a count, a list, or { count, oldest }".to_string(),
            )),
        }
    }
    if let Some(r) = spec.get("reservations") {
        reservations(r, facts, &mut x);
    }
    super::vm_features::read(spec, facts, &mut x.errors);
    x
}

/// `spec.reservations: { cpuMhz, memory }` (RVTools vCPU and vMemory `Reservation`): what the
/// hypervisor holds back for the VM whether it uses it or not.
fn reservations(r: &Node, facts: &mut Node, x: &mut Extras) {
    if r.as_map().is_none() {
        x.errors.push((
            r.clone(),
            "spec.reservations",
            "expected { cpuMhz: NUMBER, memory: SIZE }".to_string(),
        ));
        return;
    }
    if let Some(cpu) = r.get("cpuMhz") {
        match cpu.as_f64() {
            Some(v) if v >= 0.0 && v.is_finite() => {
                facts.insert("cpu_reservation_mhz", Node::float(v, cpu.line));
            }
            _ => x.errors.push((
                cpu.clone(),
                "spec.reservations.cpuMhz",
                format!(
                    "`{}` is not a CPU reservation in MHz (a number, 0 for none)",
                    cpu.display_text()
                ),
            )),
        }
    }
    if let Some(mem) = r.get("memory") {
        match crate::units::vm_size_node_gib(mem) {
            Ok(v) => facts.insert("memory_reservation_gib", Node::float(v, mem.line)),
            Err(e) => x.errors.push((mem.clone(), "spec.reservations.memory", e)),
        }
    }
}

/// vSphere's power states, from the spellings inventories and people use.
pub fn power_state(text: &str) -> Option<&'static str> {
    match normalise_header(text).as_str() {
        "poweredon" | "on" | "running" | "started" | "up" => Some("poweredOn"),
        "poweredoff" | "off" | "stopped" | "shutdown" | "down" | "deallocated" => {
            Some("poweredOff")
        }
        "suspended" | "paused" | "saved" => Some("suspended"),
        _ => None,
    }
}

/// `vmx-13`, `13`, `VM version 13` -> 13.
pub fn hardware_version(text: &str) -> Option<i64> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse::<i64>().ok().filter(|v| (1..1000).contains(v))
}

/// VMware Tools status as RVTools and the vSphere API write it, reduced to `ok`, `old`,
/// `not-running`, `not-installed` or `unmanaged` (open-vm-tools maintained by the guest OS).
pub fn tools_status(text: &str) -> Option<&'static str> {
    let n = normalise_header(text);
    let n = n
        .strip_prefix("guesttools")
        .or_else(|| n.strip_prefix("tools"))
        .unwrap_or(&n);
    match n {
        "ok" | "current" | "running" => Some("ok"),
        "old" | "needupgrade" | "supportedold" | "toonew" | "blacklisted" | "toooldunsupported"
        | "tooold" => Some("old"),
        "notrunning" | "executingscripts" => Some("not-running"),
        "notinstalled" => Some("not-installed"),
        "unmanaged" => Some("unmanaged"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_locale() {
        assert_eq!(parse_number("4096"), Ok(Some(4096.0)));
        assert_eq!(parse_number(" 4,096 "), Ok(Some(4096.0)));
        assert_eq!(parse_number("1.234.567"), Ok(Some(1_234_567.0)));
        assert_eq!(parse_number("1,234,567.5"), Ok(Some(1_234_567.5)));
        assert_eq!(parse_number("1.234,5"), Ok(Some(1234.5)));
        assert_eq!(parse_number("1,5"), Ok(Some(1.5)));
        assert_eq!(parse_number("0,125"), Ok(Some(0.125)));
        assert_eq!(parse_number("12.5"), Ok(Some(12.5)));
        assert_eq!(parse_number("40 960"), Ok(Some(40960.0)));
        assert_eq!(parse_number(""), Ok(None));
        assert!(parse_number("eight").is_err());
        assert!(parse_number("1,2.3,4").is_err());
        assert!(parse_number("NaN").is_err());
    }

    #[test]
    fn headers_meet_on_one_key() {
        assert_eq!(normalise_header("In Use MiB"), "inusemib");
        assert_eq!(normalise_header("*Memory (In MB)"), "memoryinmb");
        assert_eq!(normalise_header("# CPU"), "numcpu");
        assert_eq!(strip_tab_prefix("vinfovmname"), ("vmname", Some("vinfo")));
        assert_eq!(strip_tab_prefix("vm"), ("vm", None));
        let c = Columns::new(&["vInfoVMName", "vInfoCPUs"]);
        assert_eq!(c.find(&["vm", "vmname"]), Some(0));
        assert_eq!(c.find(&["cpus"]), Some(1));
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("VM;CPUs;Memory"), b';');
        assert_eq!(sniff_delimiter("VM,CPUs,Memory"), b',');
        assert_eq!(sniff_delimiter("\"a;b\",c,d"), b',');
        assert_eq!(sniff_delimiter("VM\tCPUs"), b'\t');
    }

    fn rows(text: &str) -> (Vec<(u32, Vec<String>)>, Vec<ScanError>) {
        let file = SourceFile::from_text("x.csv", text);
        let mut out = Vec::new();
        let errors = read_csv(&file, text, b',', |r| {
            if let CsvRecord::Row(r) = r {
                out.push((r.line, r.cells.iter().map(str::to_string).collect()));
            }
            Ok(())
        });
        (out, errors)
    }

    #[test]
    fn broken_rows_are_errors_and_the_rest_is_read() {
        let text = "VM,CPUs,Memory\na,2,4096\nb,4\n\"c,8,16384\nd,1,1024\ne,\"multi\nline\",2048\n";
        let (rows, errors) = rows(text);
        let names: Vec<(u32, &str)> = rows.iter().map(|(l, c)| (*l, c[0].as_str())).collect();
        assert_eq!(names, vec![(2, "a"), (5, "d"), (6, "e")]);
        let lines: Vec<Option<u32>> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![Some(3), Some(4)]);
        assert!(errors[0].message.contains("2 cell(s) but the header has 3"));
        assert!(errors[1].message.contains("unterminated quote"));
        // In the last cell, the open quote swallows the rest of the file with the header's
        // cell count: still found.
        let (read, errors) =
            super::tests::rows("VM,CPUs,OS\na,2,\"Red Hat\nb,4,CentOS\nc,1,\"x\"\"y\"\n");
        let names: Vec<(u32, &str)> = read.iter().map(|(l, c)| (*l, c[0].as_str())).collect();
        assert_eq!(names, vec![(3, "b"), (4, "c")]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(2));
        assert!(errors[0].message.contains("unterminated quote"));
    }

    #[test]
    fn decoding_accepts_windows_exports() {
        let mut file = SourceFile::from_text("x.csv", "");
        file.bytes = b"VM\nserveur-\xe9t\xe9\n".to_vec();
        assert_eq!(decode(&file), "VM\nserveur-été\n");
        file.bytes = vec![0xFF, 0xFE, b'V', 0, b'M', 0];
        assert_eq!(decode(&file), "VM");
    }
}
