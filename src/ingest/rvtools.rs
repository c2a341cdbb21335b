//! RVTools exports: the `.xlsx` workbook RVTools writes by default (sheets vInfo and, when
//! present, vCPU, vMemory, vDisk, vPartition, vSnapshot, vTools) and its per-tab CSV export
//! (`RVTools_tabvInfo.csv`, `RVTools_tabvCPU.csv`, ...), in both header styles (`VM`,
//! `CPUs`, `In Use MiB` and the internal `vInfoVMName`, `vInfoCPUs`, `vInfoInUse`), comma,
//! semicolon or tab delimited, `MB` or `MiB` columns (both mean MiB).
//!
//! Each VM row becomes a VM spec document located at its row (the row number is the line)
//! and goes through [`VmSpec::workload_from_doc`], so the VM rule pack applies unchanged.
//! Templates and SRM placeholders are not workloads: they are counted as skipped. The
//! other tabs add what vInfo lacks (CPU topology, disk sizes, partition usage, snapshots,
//! VMware Tools); in a CSV export they are separate files, joined in [`Input::link`] by VM
//! (UUID, else vCenter and name) within the same export (folder and file-name prefix). Two
//! VMs that neither tells apart get no other tab's rows, and an error says so.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};

use super::tabular::{
    self, Columns, CsvRecord, CsvRow, SpecBuilder, mib, parse_bool, parse_number,
};
use super::vmspec::VmSpec;
use super::{FileOutput, IngestContext, Input, Object};
use crate::model::{ScanError, Workload};
use crate::node::Node;
use crate::source::SourceFile;

pub struct RvTools;

const INPUT_NAME: &str = "rvtools";

/// Uncompressed size above which a workbook is refused: no RVTools export of any estate
/// comes near it, a decompression bomb does.
const MAX_XLSX_UNCOMPRESSED: u128 = 1024 * 1024 * 1024;

/// The tabs fitscan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Info,
    Cpu,
    Memory,
    Disk,
    Partition,
    Snapshot,
    Tools,
}

impl Tab {
    const ALL: [Tab; 7] = [
        Tab::Info,
        Tab::Cpu,
        Tab::Memory,
        Tab::Disk,
        Tab::Partition,
        Tab::Snapshot,
        Tab::Tools,
    ];
    fn sheet(self) -> &'static str {
        match self {
            Tab::Info => "vInfo",
            Tab::Cpu => "vCPU",
            Tab::Memory => "vMemory",
            Tab::Disk => "vDisk",
            Tab::Partition => "vPartition",
            Tab::Snapshot => "vSnapshot",
            Tab::Tools => "vTools",
        }
    }
    fn from_prefix(prefix: &str) -> Option<Tab> {
        Tab::ALL
            .into_iter()
            .find(|t| t.sheet().eq_ignore_ascii_case(prefix))
    }

    /// Which tab a CSV export is: by its file name (`RVTools_tabvCPU.csv`) or, when renamed,
    /// by its header (the internal style names the tab in every column; the display style
    /// is recognised by the columns only that tab has).
    fn of_csv(file_name: &str, header: &[String]) -> Option<Tab> {
        let cols = Columns::new(header);
        if !cols.has("vm") && !cols.has("vmname") {
            return None;
        }
        let lower = file_name.to_ascii_lowercase();
        if let Some(pos) = lower.find("tabv") {
            let rest = &lower[pos + 3..];
            let by_name = Tab::ALL.into_iter().find(|t| {
                rest.strip_prefix(&t.sheet().to_ascii_lowercase())
                    .is_some_and(|after| after.starts_with('.') || after.is_empty())
            });
            if by_name.is_some() {
                return by_name;
            }
        }
        // Internal style: `vCPUSockets`, `vPartitionConsumedMiB`, ...
        let mut prefixes = header
            .iter()
            .filter_map(|h| tabular::strip_tab_prefix(&tabular::normalise_header(h)).1);
        if let Some(first) = prefixes.next()
            && let Some(tab) = Tab::from_prefix(first)
        {
            return Some(tab);
        }
        let any = |keys: &[&str]| keys.iter().any(|k| cols.has(k));
        if any(&["sockets", "coresps", "corespersocket"]) {
            Some(Tab::Cpu)
        } else if any(&["consumedmib", "consumedmb"]) {
            Some(Tab::Partition)
        } else if any(&["toolsversion", "requiredversion"]) {
            Some(Tab::Tools)
        } else if any(&["datetime", "sizemibvmsn", "sizembvmsn"]) {
            Some(Tab::Snapshot)
        } else if cols.has("cpus") && cols.has("memory") {
            Some(Tab::Info)
        } else if any(&["capacitymib", "capacitymb"]) && cols.has("disk") {
            Some(Tab::Disk)
        } else if any(&["sizemib", "sizemb"]) && !cols.has("cpus") {
            Some(Tab::Memory)
        } else {
            None
        }
    }
}

/// The vInfo columns, in both header styles (tab prefixes are already stripped).
struct InfoColumns {
    name: Option<usize>,
    uuid: Option<usize>,
    power: Option<usize>,
    template: Option<usize>,
    srm: Option<usize>,
    cpus: Option<usize>,
    memory: Option<usize>,
    nics: Option<usize>,
    disks: Option<usize>,
    capacity: Option<usize>,
    provisioned: Option<usize>,
    in_use: Option<usize>,
    os_config: Option<usize>,
    os_tools: Option<usize>,
    datacenter: Option<usize>,
    cluster: Option<usize>,
    host: Option<usize>,
    folder: Option<usize>,
    vapp: Option<usize>,
    vcenter: Option<usize>,
    hw_version: Option<usize>,
}

impl InfoColumns {
    fn new(c: &Columns) -> Self {
        InfoColumns {
            name: c.find(&["vm", "vmname"]),
            uuid: c.find(&["vmuuid", "uuid"]),
            power: c.find(&["powerstate"]),
            template: c.find(&["template"]),
            srm: c.find(&["srmplaceholder"]),
            cpus: c.find(&["cpus", "numcpu"]),
            memory: c.find(&["memory", "memorymib", "memorymb"]),
            nics: c.find(&["nics"]),
            disks: c.find(&["disks", "numvirtualdisks"]),
            capacity: c.find(&["totaldiskcapacitymib", "totaldiskcapacitymb"]),
            provisioned: c.find(&["provisionedmib", "provisionedmb", "provisioned"]),
            in_use: c.find(&["inusemib", "inusemb", "inuse"]),
            os_config: c.find(&["osaccordingtotheconfigurationfile", "os"]),
            os_tools: c.find(&["osaccordingtothevmwaretools", "ostools"]),
            datacenter: c.find(&["datacenter"]),
            cluster: c.find(&["cluster"]),
            host: c.find(&["host"]),
            folder: c.find(&["folder"]),
            vapp: c.find(&["vapp"]),
            vcenter: c.find(&["visdkserver"]),
            hw_version: c.find(&["hwversion", "hardwareversion"]),
        }
    }
}

/// Columns of the tabs that add to vInfo.
struct ExtraColumns {
    name: Option<usize>,
    uuid: Option<usize>,
    template: Option<usize>,
    sockets: Option<usize>,
    cores: Option<usize>,
    size: Option<usize>,
    capacity: Option<usize>,
    consumed: Option<usize>,
    date: Option<usize>,
    tools: Option<usize>,
    tools_version: Option<usize>,
    vcenter: Option<usize>,
}

impl ExtraColumns {
    fn new(c: &Columns) -> Self {
        ExtraColumns {
            name: c.find(&["vm", "vmname"]),
            uuid: c.find(&["vmuuid", "uuid"]),
            vcenter: c.find(&["visdkserver"]),
            template: c.find(&["template"]),
            sockets: c.find(&["sockets", "numsockets"]),
            cores: c.find(&["coresps", "corespersocket", "corespersockets"]),
            size: c.find(&["sizemib", "sizemb", "size"]),
            capacity: c.find(&["capacitymib", "capacitymb", "capacity"]),
            consumed: c.find(&["consumedmib", "consumedmb", "consumed"]),
            date: c.find(&["datetime", "date"]),
            tools: c.find(&["tools", "toolsstatus", "status"]),
            tools_version: c.find(&["toolsversion", "version"]),
        }
    }
}

/// A row as cells of text, from a CSV record or a worksheet row.
trait Cells {
    fn cell(&self, col: Option<usize>) -> String;
}

impl Cells for CsvRow<'_> {
    fn cell(&self, col: Option<usize>) -> String {
        self.get(col).to_string()
    }
}

impl Cells for &[Data] {
    fn cell(&self, col: Option<usize>) -> String {
        match col.and_then(|c| self.get(c)) {
            None | Some(Data::Empty) => String::new(),
            Some(Data::Float(f)) => crate::node::format_number(*f),
            Some(Data::DateTime(d)) => excel_date(d.as_f64()),
            Some(d) => d.to_string().trim().to_string(),
        }
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return String::new();
    }
    let (y, m, d) = crate::units::civil_from_days(serial.floor() as i64 - 25_569);
    format!("{y:04}-{m:02}-{d:02}")
}

/// What the other tabs say about one VM, merged into its spec.
#[derive(Debug, Default, Clone)]
struct Extra {
    sockets: Option<f64>,
    cores_per_socket: Option<f64>,
    memory_mib: Option<f64>,
    disks_mib: Vec<f64>,
    consumed_mib: Option<f64>,
    partition_capacity_mib: Option<f64>,
    snapshots: Option<u32>,
    oldest_snapshot: Option<String>,
    tools_status: Option<String>,
    tools_version: Option<String>,
}

impl Extra {
    fn merge(&mut self, other: &Extra) {
        self.sockets = self.sockets.or(other.sockets);
        self.cores_per_socket = self.cores_per_socket.or(other.cores_per_socket);
        self.memory_mib = self.memory_mib.or(other.memory_mib);
        self.disks_mib.extend(&other.disks_mib);
        self.consumed_mib = add(self.consumed_mib, other.consumed_mib);
        self.partition_capacity_mib =
            add(self.partition_capacity_mib, other.partition_capacity_mib);
        if other.snapshots.is_some() {
            self.snapshots = Some(self.snapshots.unwrap_or(0) + other.snapshots.unwrap_or(0));
        }
        self.oldest_snapshot = match (self.oldest_snapshot.take(), other.oldest_snapshot.clone()) {
            (Some(a), Some(b)) => Some(if b < a { b } else { a }),
            (a, b) => a.or(b),
        };
        self.tools_status = self.tools_status.take().or(other.tools_status.clone());
        self.tools_version = self.tools_version.take().or(other.tools_version.clone());
    }

    /// As a node, to travel between files in an [`Object`].
    fn to_node(&self) -> Node {
        let mut n = Node::map(0);
        let mut num = |k: &str, v: Option<f64>| {
            if let Some(v) = v {
                n.insert(k, Node::float(v, 0));
            }
        };
        num("sockets", self.sockets);
        num("cores", self.cores_per_socket);
        num("memory", self.memory_mib);
        num("consumed", self.consumed_mib);
        num("partitionCapacity", self.partition_capacity_mib);
        num("snapshots", self.snapshots.map(f64::from));
        if !self.disks_mib.is_empty() {
            n.insert(
                "disks",
                Node::seq(
                    self.disks_mib.iter().map(|d| Node::float(*d, 0)).collect(),
                    0,
                ),
            );
        }
        for (k, v) in [
            ("oldest", &self.oldest_snapshot),
            ("tools", &self.tools_status),
            ("toolsVersion", &self.tools_version),
        ] {
            if let Some(v) = v {
                n.insert(k, Node::str(v.clone(), 0));
            }
        }
        n
    }

    fn from_node(n: &Node) -> Extra {
        let num = |k: &str| n.get(k).and_then(Node::as_f64);
        let text = |k: &str| n.get(k).and_then(Node::as_str).map(str::to_string);
        Extra {
            sockets: num("sockets"),
            cores_per_socket: num("cores"),
            memory_mib: num("memory"),
            disks_mib: n
                .get("disks")
                .and_then(Node::as_seq)
                .map(|s| s.iter().filter_map(Node::as_f64).collect())
                .unwrap_or_default(),
            consumed_mib: num("consumed"),
            partition_capacity_mib: num("partitionCapacity"),
            snapshots: num("snapshots").map(|v| v as u32),
            oldest_snapshot: text("oldest"),
            tools_status: text("tools"),
            tools_version: text("toolsVersion"),
        }
    }
}

fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// Who a row is about: its VM's name, UUID and vCenter (`VI SDK Server`), as written.
#[derive(Debug, Clone, Default)]
struct VmId {
    name: String,
    uuid: String,
    vcenter: String,
}

impl VmId {
    /// Its UUID key, when the row has one (the same in every vCenter).
    fn uuid_key(&self) -> Option<String> {
        let uuid = self.uuid.trim();
        (!uuid.is_empty()).then(|| format!("uuid:{}", uuid.to_ascii_lowercase()))
    }
    /// Its name within its vCenter (names repeat across vCenters), case-insensitive.
    fn name_key(&self) -> String {
        name_key(&self.vcenter, &self.name)
    }
}

fn name_key(vcenter: &str, name: &str) -> String {
    format!(
        "name:{}\u{0}{}",
        vcenter.trim().to_lowercase(),
        name.trim().to_lowercase()
    )
}

/// Per-VM extras of the other tabs, keyed by UUID and by vCenter and name.
#[derive(Default)]
struct ExtraIndex {
    by_key: HashMap<String, Extra>,
}

/// How a VM's rows in the other tabs were found.
enum Found<'a> {
    Extra(&'a Extra),
    /// Only by a name other VMs of the same vInfo share: the key they share.
    Ambiguous(String),
    None,
}

impl ExtraIndex {
    fn add(&mut self, id: &VmId, extra: Extra) {
        if let Some(k) = id.uuid_key() {
            self.by_key.entry(k).or_default().merge(&extra);
        }
        self.by_key.entry(id.name_key()).or_default().merge(&extra);
    }

    /// The VM's extras: by UUID, else by vCenter and name, else (a tab exported without the
    /// vCenter column) by name alone, unless `names` counts more than one VM under that key.
    fn find(&self, id: &VmId, names: &HashMap<String, usize>) -> Found<'_> {
        if let Some(e) = id.uuid_key().and_then(|k| self.by_key.get(&k)) {
            return Found::Extra(e);
        }
        let mut keys = vec![id.name_key()];
        if !id.vcenter.trim().is_empty() {
            keys.push(name_key("", &id.name));
        }
        for key in keys {
            if let Some(e) = self.by_key.get(&key) {
                return if names.get(&key).copied().unwrap_or(0) > 1 {
                    Found::Ambiguous(key)
                } else {
                    Found::Extra(e)
                };
            }
        }
        Found::None
    }
}

/// How many VMs of one vInfo go by each name key (with and without their vCenter), to tell
/// when a name cannot say which VM the other tabs' rows are about.
fn name_counts<'a>(ids: impl Iterator<Item = &'a VmId>) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for id in ids {
        *counts.entry(id.name_key()).or_default() += 1;
        if !id.vcenter.trim().is_empty() {
            *counts.entry(name_key("", &id.name)).or_default() += 1;
        }
    }
    counts
}

/// Joins each VM of one vInfo to its extras; VMs that share a name with no UUID to tell them
/// apart get none, and one error per such name says so, at the first VM's row.
fn join_extras<'i>(
    vms: &[(VmId, u32)],
    index: &'i ExtraIndex,
    file: &str,
    errors: &mut Vec<ScanError>,
) -> Vec<Option<&'i Extra>> {
    let names = name_counts(vms.iter().map(|(id, _)| id));
    let mut ambiguous: HashMap<String, (usize, Vec<u32>, String, String)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let joined = vms
        .iter()
        .map(|(id, line)| match index.find(id, &names) {
            Found::Extra(e) => Some(e),
            Found::Ambiguous(key) => {
                let entry = ambiguous.entry(key.clone()).or_insert_with(|| {
                    order.push(key);
                    (0, Vec::new(), id.name.clone(), id.vcenter.clone())
                });
                entry.0 += 1;
                if entry.1.len() < 3 {
                    entry.1.push(*line);
                }
                None
            }
            Found::None => None,
        })
        .collect();
    for key in order {
        let Some((n, lines, name, vcenter)) = ambiguous.remove(&key) else {
            continue;
        };
        let rows: Vec<String> = lines.iter().map(u32::to_string).collect();
        let more = if n > lines.len() { ", ..." } else { "" };
        let within = if key.starts_with("name:\u{0}") || vcenter.trim().is_empty() {
            String::new()
        } else {
            format!(" in vCenter `{}`", vcenter.trim())
        };
        errors.push(ScanError::parse(
            file,
            lines.first().copied(),
            format!(
                "{n} VMs named `{}`{within} (rows {}{more}) and no UUID to tell them apart: the other tabs' rows for `{}` are joined to none of them",
                name.trim(),
                rows.join(", "),
                name.trim()
            ),
        ));
    }
    joined
}

/// Reads one row of an extra tab into the index; bad numbers are errors naming the row.
fn read_extra_row(
    tab: Tab,
    cols: &ExtraColumns,
    row: &dyn Cells,
    line: u32,
    file: &str,
    index: &mut ExtraIndex,
    errors: &mut Vec<ScanError>,
) {
    let name = row.cell(cols.name);
    if name.is_empty() {
        return;
    }
    if parse_bool(&row.cell(cols.template)) == Ok(Some(true)) {
        return;
    }
    let id = VmId {
        uuid: row.cell(cols.uuid),
        vcenter: row.cell(cols.vcenter),
        name: name.clone(),
    };
    let mut number = |col: Option<usize>, what: &str| -> Option<f64> {
        match parse_number(&row.cell(col)) {
            Ok(v) => v.filter(|v| *v >= 0.0),
            Err(e) => {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("{} row for VM `{name}`: {what}: {e}", tab.sheet()),
                ));
                None
            }
        }
    };
    let mut extra = Extra::default();
    match tab {
        Tab::Cpu => {
            extra.sockets = number(cols.sockets, "Sockets").filter(|v| *v > 0.0);
            extra.cores_per_socket = number(cols.cores, "Cores p/s").filter(|v| *v > 0.0);
        }
        Tab::Memory => extra.memory_mib = number(cols.size, "Size MiB").filter(|v| *v > 0.0),
        Tab::Disk => {
            if let Some(c) = number(cols.capacity, "Capacity MiB") {
                extra.disks_mib.push(c);
            }
        }
        Tab::Partition => {
            extra.consumed_mib = number(cols.consumed, "Consumed MiB");
            extra.partition_capacity_mib = number(cols.capacity, "Capacity MiB");
        }
        Tab::Snapshot => {
            extra.snapshots = Some(1);
            let date = row.cell(cols.date);
            // Only sortable dates (ISO order) say which snapshot is the oldest.
            let iso = date.len() >= 10
                && date.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && matches!(date.as_bytes()[4], b'-' | b'/');
            if iso && let Some(day) = date.get(..10) {
                extra.oldest_snapshot = Some(day.replace('/', "-"));
            }
        }
        Tab::Tools => {
            let status = row.cell(cols.tools);
            extra.tools_status = (!status.is_empty()).then_some(status);
            let version = row.cell(cols.tools_version);
            extra.tools_version = (!version.is_empty()).then_some(version);
        }
        Tab::Info => return,
    }
    index.add(&id, extra);
}

/// A vInfo row: its VM spec document, or why it is not a workload.
enum InfoRow {
    Vm { id: VmId, doc: Node },
    Skipped(&'static str),
    Invalid,
}

fn read_info_row(
    cols: &InfoColumns,
    row: &dyn Cells,
    line: u32,
    file: &str,
    errors: &mut Vec<ScanError>,
) -> InfoRow {
    let name = row.cell(cols.name);
    if name.is_empty() {
        errors.push(ScanError::parse(
            file,
            Some(line),
            "vInfo row has no VM name: this row is skipped",
        ));
        return InfoRow::Invalid;
    }
    let mut flag = |col: Option<usize>, what: &str| match parse_bool(&row.cell(col)) {
        Ok(v) => v.unwrap_or(false),
        Err(e) => {
            errors.push(ScanError::parse(
                file,
                Some(line),
                format!("VM `{name}`: {what}: {e}"),
            ));
            false
        }
    };
    if flag(cols.template, "Template") {
        return InfoRow::Skipped("template");
    }
    if flag(cols.srm, "SRM Placeholder") {
        return InfoRow::Skipped("srm-placeholder");
    }
    let mut number = |col: Option<usize>, what: &str| -> Option<f64> {
        match parse_number(&row.cell(col)) {
            Ok(Some(v)) if v >= 0.0 => Some(v),
            Ok(Some(v)) => {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("VM `{name}`: {what}: `{v}` is negative"),
                ));
                None
            }
            Ok(None) => None,
            Err(e) => {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("VM `{name}`: {what}: {e}"),
                ));
                None
            }
        }
    };
    let cpus = number(cols.cpus, "CPUs").filter(|v| *v > 0.0);
    let memory = number(cols.memory, "Memory").filter(|v| *v > 0.0);
    let nics = number(cols.nics, "NICs");
    let disk_count = number(cols.disks, "Disks");
    let capacity = number(cols.capacity, "Total disk capacity MiB");
    let provisioned = number(cols.provisioned, "Provisioned MiB");
    let in_use = number(cols.in_use, "In Use MiB");

    let mut b = SpecBuilder::new(line);
    b.text("platform", "vsphere");
    let os_tools = row.cell(cols.os_tools);
    let os = if os_tools.is_empty() {
        row.cell(cols.os_config)
    } else {
        os_tools
    };
    b.text("os", os);
    if let Some(c) = cpus {
        b.number("cpu.vcpus", c);
    }
    if let Some(m) = memory {
        b.text("memory", mib(m));
    }
    if let Some(n) = nics {
        b.number("nics", n);
    }
    // Current storage: the virtual disks; the provisioned space (which adds swap, logs and
    // snapshots) only when the disk total is not exported.
    let disk_total = capacity.filter(|c| *c > 0.0).or(provisioned);
    if let Some(total) = disk_total {
        let mut disk = Node::map(line);
        match disk_count.filter(|n| *n >= 1.0 && n.fract() == 0.0) {
            Some(n) if capacity.is_some() => {
                disk.insert("size", Node::str(mib(total / n), line));
                disk.insert("count", Node::float(n, line));
            }
            _ => disk.insert("size", Node::str(mib(total), line)),
        }
        b.set("disks", Node::seq(vec![disk], line));
    }
    // Used storage: In Use counts every file of the VM; less what the files beyond its
    // disks take (provisioned - disk capacity: swap, logs), it is the disks' use.
    if let Some(used) = in_use {
        let overhead = match (provisioned, capacity) {
            (Some(p), Some(c)) if p > c => p - c,
            _ => 0.0,
        };
        b.text("utilisation.storage.used", mib((used - overhead).max(0.0)));
    }
    if let Some(p) = cols.power.map(|_| row.cell(cols.power)) {
        b.text("powerState", p);
    }
    b.text("hardwareVersion", row.cell(cols.hw_version));
    for (key, col) in [
        ("datacenter", cols.datacenter),
        ("cluster", cols.cluster),
        ("host", cols.host),
        ("folder", cols.folder),
        ("vapp", cols.vapp),
        ("vcenter", cols.vcenter),
    ] {
        b.text(key, row.cell(col));
    }
    let uuid = row.cell(cols.uuid);
    b.text("uuid", uuid.clone());
    InfoRow::Vm {
        doc: b.into_doc(&name),
        id: VmId {
            vcenter: row.cell(cols.vcenter),
            name,
            uuid,
        },
    }
}

/// Adds the other tabs' knowledge to a VM's spec, at the VM's row.
fn apply_extra(doc: &mut Node, extra: &Extra) {
    let line = doc.line;
    let Some(spec) = doc.get_mut("spec") else {
        return;
    };
    let set = |spec: &mut Node, path: &str, value: Node| {
        tabular::set_located(spec, path, value, line);
    };
    if let (Some(s), Some(c)) = (extra.sockets, extra.cores_per_socket) {
        set(spec, "cpu.sockets", Node::float(s, line));
        set(spec, "cpu.coresPerSocket", Node::float(c, line));
    }
    if spec.get("memory").is_none()
        && let Some(m) = extra.memory_mib
    {
        set(spec, "memory", Node::str(mib(m), line));
    }
    if !extra.disks_mib.is_empty() {
        let disks = extra
            .disks_mib
            .iter()
            .map(|d| {
                let mut n = Node::map(line);
                n.insert("size", Node::str(mib(*d), line));
                n
            })
            .collect();
        set(spec, "disks", Node::seq(disks, line));
    }
    if let Some(consumed) = extra.consumed_mib {
        // The guest's own view of its file systems beats the datastore's In Use.
        set(
            spec,
            "utilisation.storage.used",
            Node::str(mib(consumed), line),
        );
        if extra.disks_mib.is_empty()
            && spec.get("disks").is_none()
            && let Some(cap) = extra.partition_capacity_mib
        {
            let mut n = Node::map(line);
            n.insert("size", Node::str(mib(cap), line));
            set(spec, "disks", Node::seq(vec![n], line));
        }
    }
    if let Some(n) = extra.snapshots {
        let mut s = Node::map(line);
        s.insert("count", Node::int(i64::from(n), line));
        if let Some(oldest) = &extra.oldest_snapshot {
            s.insert("oldest", Node::str(oldest.clone(), line));
        }
        set(spec, "snapshots", s);
    }
    if let Some(status) = &extra.tools_status {
        set(spec, "tools.status", Node::str(status.clone(), line));
        if let Some(v) = &extra.tools_version {
            set(spec, "tools.version", Node::str(v.clone(), line));
        }
    }
}

/// Whether the export had the tab at all: a VM absent from a tab that exists has, e.g., no
/// snapshots (a fact), while a tab that was not exported says nothing.
fn note_tab_present(doc: &mut Node, tab: Tab) {
    let line = doc.line;
    let Some(spec) = doc.get_mut("spec") else {
        return;
    };
    if tab == Tab::Snapshot && spec.get("snapshots").is_none() {
        tabular::set_located(spec, "snapshots.count", Node::int(0, line), line);
    }
}

fn build_workload(
    mut doc: Node,
    name: String,
    extra: Option<&Extra>,
    tabs: &[Tab],
    file: &Arc<str>,
    errors: &mut Vec<ScanError>,
) -> Workload {
    if let Some(e) = extra {
        apply_extra(&mut doc, e);
    }
    for t in tabs {
        note_tab_present(&mut doc, *t);
    }
    // Inventories carry no CPU or memory utilisation: the context's percentile is unused.
    let mut w = VmSpec::workload_from_doc(doc, name, file, &IngestContext::default(), errors);
    tabular::shrink(&mut w.doc);
    tabular::shrink(&mut w.facts);
    w
}

impl RvTools {
    /// Reads a workbook. calamine, the spreadsheet reader, does arithmetic on cell
    /// references that overflows on a malformed one (`AAAAAAAAAA1`): a panic where overflow
    /// checks are on (debug builds, fuzzing). Its panics are this file's parse error.
    fn ingest_xlsx(&self, file: &SourceFile, out: &mut FileOutput) {
        let mut read = FileOutput::default();
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.read_xlsx(file, &mut read);
        }));
        match done {
            Ok(()) => {
                out.workloads.append(&mut read.workloads);
                out.objects.append(&mut read.objects);
                out.errors.append(&mut read.errors);
                for (reason, n) in read.skipped {
                    *out.skipped.entry(reason).or_default() += n;
                }
            }
            Err(_) => out.errors.push(ScanError::parse(
                &file.display,
                None,
                "not a readable .xlsx workbook: the spreadsheet reader failed on a malformed part (a cell reference out of range?)",
            )),
        }
    }

    fn read_xlsx(&self, file: &SourceFile, out: &mut FileOutput) {
        let too_big = uncompressed_size(file).map(|size| size > MAX_XLSX_UNCOMPRESSED);
        match too_big {
            Ok(false) => {}
            Ok(true) => {
                out.errors.push(ScanError::input(
                    &file.display,
                    "workbook refused: it would decompress to more than 1 GiB (a zip bomb?)",
                ));
                return;
            }
            Err(e) => {
                out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("not a readable .xlsx workbook: {e}"),
                ));
                return;
            }
        }
        // calamine holds a cell's text (and every shared string) whole: a part with a run
        // of text longer than a cell can hold is refused before it is opened.
        match long_xml_run(file) {
            Ok(None) => {}
            Ok(Some(message)) => {
                out.errors.push(ScanError::input(&file.display, message));
                return;
            }
            Err(e) => {
                out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("not a readable .xlsx workbook: {e}"),
                ));
                return;
            }
        }
        let mut wb = match Xlsx::new(Cursor::new(file.bytes.as_slice())) {
            Ok(wb) => wb,
            Err(e) => {
                out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("not a readable .xlsx workbook: {e}"),
                ));
                return;
            }
        };
        let sheets = wb.sheet_names();
        let sheet_of = |tab: Tab| {
            sheets
                .iter()
                .find(|s| s.trim().eq_ignore_ascii_case(tab.sheet()))
                .cloned()
        };
        let Some(info_sheet) = sheet_of(Tab::Info) else {
            out.errors.push(ScanError::input(
                &file.display,
                format!(
                    "workbook has no vInfo sheet, so it is not an RVTools export (sheets: {})",
                    sheets.join(", ")
                ),
            ));
            return;
        };
        let mut index = ExtraIndex::default();
        let mut tabs = Vec::new();
        for tab in Tab::ALL.into_iter().filter(|t| *t != Tab::Info) {
            let Some(sheet) = sheet_of(tab) else { continue };
            let mut cols = None;
            let mut errors = Vec::new();
            let read = stream_sheet(
                &mut wb,
                &sheet,
                &file.display,
                &mut out.errors,
                |line, cells| match &cols {
                    None => cols = Some(ExtraColumns::new(&Columns::new(&cells.cell_texts()))),
                    Some(c) => {
                        read_extra_row(tab, c, &cells, line, &file.display, &mut index, &mut errors)
                    }
                },
            );
            out.errors.extend(errors);
            match read {
                Ok(()) if cols.is_some() => tabs.push(tab),
                Ok(()) => {}
                Err(e) => out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("sheet {sheet}: {e}"),
                )),
            }
        }
        let mut cols: Option<InfoColumns> = None;
        let mut header_error = None;
        let mut errors = Vec::new();
        // VMs are joined to the other tabs once all are read: a name shared by two VMs
        // without UUIDs is only known then.
        let mut vms: Vec<(VmId, u32, Node)> = Vec::new();
        let mut skipped: Vec<&'static str> = Vec::new();
        let mut limit_errors = Vec::new();
        let read = stream_sheet(
            &mut wb,
            &info_sheet,
            &file.display,
            &mut limit_errors,
            |line, cells| {
                if header_error.is_some() {
                    return;
                }
                let Some(c) = &cols else {
                    let columns = Columns::new(&cells.cell_texts());
                    match require_info_columns(&columns) {
                        Ok(()) => cols = Some(InfoColumns::new(&columns)),
                        Err(e) => header_error = Some((line, e)),
                    }
                    return;
                };
                match read_info_row(c, &cells, line, &file.display, &mut errors) {
                    InfoRow::Vm { id, doc } => vms.push((id, line, doc)),
                    InfoRow::Skipped(reason) => skipped.push(reason),
                    InfoRow::Invalid => {}
                }
            },
        );
        errors.extend(limit_errors);
        let ids: Vec<(VmId, u32)> = vms
            .iter()
            .map(|(id, line, _)| (id.clone(), *line))
            .collect();
        let extras = join_extras(&ids, &index, &file.display, &mut errors);
        for ((id, _, doc), extra) in vms.into_iter().zip(extras) {
            out.workloads.push(build_workload(
                doc,
                id.name,
                extra,
                &tabs,
                &file.display,
                &mut errors,
            ));
        }
        out.errors.extend(errors);
        for reason in skipped {
            *out.skipped.entry(reason.to_string()).or_default() += 1;
        }
        if let Err(e) = read {
            out.errors.push(ScanError::parse(
                &file.display,
                None,
                format!("sheet vInfo: {e}"),
            ));
        } else if let Some((line, e)) = header_error {
            out.errors.push(ScanError::parse(
                &file.display,
                Some(line),
                format!("sheet vInfo: {e}"),
            ));
        } else if cols.is_none() {
            out.errors.push(ScanError::parse(
                &file.display,
                Some(1),
                "sheet vInfo is empty",
            ));
        }
    }

    fn ingest_csv(&self, file: &SourceFile, out: &mut FileOutput) {
        let text = tabular::decode(file);
        let delimiter = tabular::delimiter_of(&text);
        let group = export_group(file);
        let mut tab = None;
        let mut info_cols = None;
        let mut extra_cols = None;
        let mut index = ExtraIndex::default();
        let mut skipped: Vec<&'static str> = Vec::new();
        let mut errors = Vec::new();
        let csv_errors = tabular::read_csv(file, &text, delimiter, |record| match record {
            CsvRecord::Header(header) => {
                let cells: Vec<String> = header.iter().map(str::to_string).collect();
                let t = Tab::of_csv(&file.file_name(), &cells)
                    .ok_or_else(|| "not an RVTools tab (no VM column)".to_string())?;
                let columns = Columns::new(&cells);
                if t == Tab::Info {
                    require_info_columns(&columns)?;
                    info_cols = Some(InfoColumns::new(&columns));
                } else {
                    extra_cols = Some(ExtraColumns::new(&columns));
                }
                tab = Some(t);
                Ok(())
            }
            CsvRecord::Row(row) => {
                match (tab, &info_cols, &extra_cols) {
                    (Some(Tab::Info), Some(cols), _) => {
                        match read_info_row(cols, &row, row.line, &file.display, &mut errors) {
                            InfoRow::Vm { id, doc } => {
                                // Other tabs, if the export has them, are joined in `link`.
                                out.workloads.push(build_workload(
                                    doc,
                                    id.name,
                                    None,
                                    &[],
                                    &file.display,
                                    &mut errors,
                                ));
                            }
                            InfoRow::Skipped(reason) => skipped.push(reason),
                            InfoRow::Invalid => {}
                        }
                    }
                    (Some(t), _, Some(cols)) => read_extra_row(
                        t,
                        cols,
                        &row,
                        row.line,
                        &file.display,
                        &mut index,
                        &mut errors,
                    ),
                    _ => {}
                }
                Ok(())
            }
        });
        errors.extend(csv_errors);
        errors.sort_by_key(|e| e.line);
        out.errors.extend(errors);
        for reason in skipped {
            *out.skipped.entry(reason.to_string()).or_default() += 1;
        }
        let Some(tab) = tab else { return };
        let mut doc = Node::map(0);
        doc.insert("group", Node::str(group, 0));
        doc.insert("tab", Node::str(tab.sheet(), 0));
        if tab != Tab::Info {
            let mut by_key = Node::map(0);
            for (k, e) in &index.by_key {
                by_key.insert(k.clone(), e.to_node());
            }
            doc.insert("extras", by_key);
        }
        out.objects.push(Object {
            input: INPUT_NAME,
            file: Arc::clone(&file.display),
            doc,
        });
    }
}

/// Hands every non-empty row of a worksheet to `on_row` with its Excel row number, cell by
/// cell from the sheet's XML: a workbook of 50,000 VMs is never held as one grid. A row with
/// a cell longer than a spreadsheet cell holds is an error instead, and reading stops after
/// [`tabular::MAX_ROWS`] rows, with an error.
fn stream_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    file: &str,
    errors: &mut Vec<ScanError>,
    mut on_row: impl FnMut(u32, &[Data]),
) -> Result<(), calamine::XlsxError> {
    let mut reader = wb.worksheet_cells_reader(sheet)?;
    let mut row: Vec<Data> = Vec::new();
    let mut current: Option<u32> = None;
    let mut rows = 0usize;
    let mut flush = |index: Option<u32>, row: &mut Vec<Data>| -> bool {
        let mut more = true;
        if let Some(r) = index
            && row.iter().any(|c| !matches!(c, Data::Empty))
        {
            let line = r.saturating_add(1);
            rows += 1;
            let texts = row.iter().filter_map(|c| match c {
                Data::String(s) => Some(s.as_str()),
                _ => None,
            });
            if rows > tabular::MAX_ROWS {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("sheet {sheet}: {}", tabular::too_many_rows()),
                ));
                more = false;
            } else if let Some(message) = tabular::long_cell(texts) {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("sheet {sheet}: {message}"),
                ));
            } else {
                on_row(line, row);
            }
        }
        row.clear();
        more
    };
    while let Some(cell) = reader.next_cell()? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if !flush(current, &mut row) {
                return Ok(());
            }
            current = Some(r);
        }
        let c = usize::try_from(c).unwrap_or(usize::MAX);
        // Columns beyond any RVTools tab are noise, not a reason to allocate.
        if c >= MAX_COLUMNS {
            continue;
        }
        if row.len() <= c {
            row.resize(c + 1, Data::Empty);
        }
        row[c] = Data::from(cell.get_value().clone());
    }
    flush(current, &mut row);
    Ok(())
}

/// The longest run of bytes without markup (a cell's text, an attribute) a workbook part may
/// hold: a cell of [`tabular::MAX_CELL_CHARS`] characters, each written as an XML reference
/// at worst. A longer run is no spreadsheet's; read whole, it would take gigabytes.
const MAX_XML_RUN: u64 = 8 * tabular::MAX_CELL_CHARS as u64;

/// Scans every XML part of the workbook, streamed through a small buffer, for a run of text
/// (or a tag) longer than [`MAX_XML_RUN`] bytes: the error for the first one, if any.
fn long_xml_run(file: &SourceFile) -> Result<Option<String>, zip::result::ZipError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(file.bytes.as_slice()))?;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.to_string();
        if !name.to_ascii_lowercase().ends_with(".xml") {
            continue;
        }
        let mut run = 0u64;
        loop {
            // A part that cannot be read to its end (a lying zip, cut off at its declared
            // size) is what calamine reports on: the scan ends where the part does.
            let n = entry.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut long = false;
            for &b in &buf[..n] {
                if b == b'<' || b == b'>' {
                    run = 0;
                } else {
                    run += 1;
                    long |= run > MAX_XML_RUN;
                }
            }
            if long {
                return Ok(Some(format!(
                    "workbook refused: {name} holds more than {MAX_XML_RUN} bytes of text without markup, more than a spreadsheet cell holds ({} characters)",
                    tabular::MAX_CELL_CHARS
                )));
            }
        }
    }
    Ok(None)
}

/// RVTools tabs have well under 200 columns; cells further right are ignored.
const MAX_COLUMNS: usize = 1024;

fn require_info_columns(cols: &Columns) -> Result<(), String> {
    if cols.find(&["vm", "vmname"]).is_none() {
        return Err("no VM column (`VM` or `vInfoVMName`)".into());
    }
    Ok(())
}

trait CellTexts {
    fn cell_texts(&self) -> Vec<String>;
}

impl CellTexts for [Data] {
    fn cell_texts(&self) -> Vec<String> {
        self.iter().map(|c| c.to_string()).collect()
    }
}

/// The export a per-tab CSV belongs to: its folder plus the file-name part before `tabv`
/// (`vc1_tabvInfo.csv` and `vc1_tabvCPU.csv` belong together, `vc2_...` apart).
fn export_group(file: &SourceFile) -> String {
    let dir = file
        .path
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let name = file.file_name().to_ascii_lowercase();
    let prefix = name.find("tabv").map_or("", |i| &name[..i]);
    format!("{dir}\u{0}{prefix}")
}

fn sniff_csv(file: &SourceFile) -> Option<Tab> {
    let text = tabular::decode_head(file);
    let header = tabular::first_line(&text);
    let delimiter = tabular::delimiter_of(&text);
    let cells: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(header.as_bytes())
        .records()
        .next()?
        .ok()?
        .iter()
        .map(str::to_string)
        .collect();
    Tab::of_csv(&file.file_name(), &cells)
}

fn is_xlsx_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xlsx") || lower.ends_with(".xlsm")
}

impl Input for RvTools {
    fn name(&self) -> &'static str {
        INPUT_NAME
    }

    fn wants_file_name(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        is_xlsx_name(&lower) || lower.ends_with(".csv") || lower.ends_with(".tsv")
    }

    fn claims_file(&self, file: &SourceFile) -> bool {
        if is_xlsx_name(&file.file_name()) {
            // A workbook found by walking is claimed only when it is a zip with a vInfo
            // sheet; one named on the command line always, so that the reason it is not
            // an RVTools export is reported.
            return file.explicit || workbook_has_vinfo(file);
        }
        sniff_csv(file).is_some()
    }

    fn ingest_file(&self, file: &SourceFile, _ctx: &IngestContext, out: &mut FileOutput) {
        if is_xlsx_name(&file.file_name()) {
            self.ingest_xlsx(file, out);
        } else {
            self.ingest_csv(file, out);
        }
    }

    fn link(
        &self,
        workloads: &mut Vec<Workload>,
        objects: Vec<Object>,
        errors: &mut Vec<ScanError>,
        _ctx: &IngestContext,
    ) -> Vec<crate::model::Skipped> {
        // Extras of each export, by group.
        let mut extras: HashMap<String, (ExtraIndex, Vec<Tab>)> = HashMap::new();
        let mut infos = Vec::new();
        for o in objects {
            let group = o
                .doc
                .get("group")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            let tab = o
                .doc
                .get("tab")
                .and_then(Node::as_str)
                .and_then(Tab::from_prefix);
            match tab {
                Some(Tab::Info) => infos.push((group, o)),
                Some(t) => {
                    let entry = extras.entry(group).or_default();
                    entry.1.push(t);
                    if let Some(map) = o.doc.get("extras").and_then(Node::as_map) {
                        for e in map {
                            entry
                                .0
                                .by_key
                                .entry(e.key.clone())
                                .or_default()
                                .merge(&Extra::from_node(&e.value));
                        }
                    }
                }
                None => {}
            }
        }
        // vInfo files of each export that has other tabs: their VMs get the extras.
        let files: HashMap<Arc<str>, &(ExtraIndex, Vec<Tab>)> = infos
            .iter()
            .filter_map(|(group, o)| extras.get(group).map(|e| (Arc::clone(&o.file), e)))
            .collect();
        if files.is_empty() {
            return Vec::new();
        }
        // The VMs of each vInfo file, joined together (a name only tells VMs apart within
        // one file's VMs).
        let mut by_file: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
        for (i, w) in workloads.iter().enumerate() {
            if files.contains_key(&w.file) {
                by_file.entry(Arc::clone(&w.file)).or_default().push(i);
            }
        }
        let mut order: Vec<(Arc<str>, Vec<usize>)> = by_file.into_iter().collect();
        order.sort_by(|a, b| a.0.cmp(&b.0));
        for (file, members) in order {
            let Some((index, tabs)) = files.get(&file) else {
                continue;
            };
            let text = |w: &Workload, key: &str| {
                w.doc
                    .at(key)
                    .and_then(Node::scalar_text)
                    .unwrap_or_default()
            };
            let ids: Vec<(VmId, u32)> = members
                .iter()
                .map(|&i| {
                    let w = &workloads[i];
                    let id = VmId {
                        name: w.name.clone(),
                        uuid: text(w, "spec.uuid"),
                        vcenter: text(w, "spec.vcenter"),
                    };
                    (id, w.line)
                })
                .collect();
            let extras = join_extras(&ids, index, &file, errors);
            for (&i, extra) in members.iter().zip(extras) {
                let w = &mut workloads[i];
                let doc = std::mem::replace(&mut w.doc, Node::null());
                *w = build_workload(doc, w.name.clone(), extra, tabs, &file, errors);
            }
        }
        Vec::new()
    }
}

/// The sizes the workbook's central directory declares for its parts, added up. (The zip
/// crate's own total gives up on parts written with data descriptors, as Excel's are.)
fn uncompressed_size(file: &SourceFile) -> Result<u128, zip::result::ZipError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(file.bytes.as_slice()))?;
    let mut total = 0u128;
    for i in 0..zip.len() {
        total += u128::from(zip.by_index_raw(i)?.size());
    }
    Ok(total)
}

fn workbook_has_vinfo(file: &SourceFile) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(file.bytes.as_slice())) else {
        return false;
    };
    let Ok(mut entry) = zip.by_name("xl/workbook.xml") else {
        return false;
    };
    let mut text = String::new();
    // The workbook part lists the sheet names; it is small, but read at most 1 MiB of it.
    use std::io::Read;
    if (&mut entry)
        .take(1024 * 1024)
        .read_to_string(&mut text)
        .is_err()
    {
        return false;
    }
    text.contains("name=\"vInfo\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest, link};

    fn scan(files: &[(&str, &str)]) -> (Vec<Workload>, Vec<ScanError>, FileOutput) {
        let mut all = FileOutput::default();
        for (name, text) in files {
            let out = ingest(
                &SourceFile::from_text(name, text),
                &IngestContext::default(),
            );
            all.workloads.extend(out.workloads);
            all.objects.extend(out.objects);
            all.errors.extend(out.errors);
            for (k, v) in out.skipped {
                *all.skipped.entry(k).or_default() += v;
            }
        }
        let mut workloads = std::mem::take(&mut all.workloads);
        let mut errors = std::mem::take(&mut all.errors);
        link(
            &mut workloads,
            std::mem::take(&mut all.objects),
            &mut errors,
            &IngestContext::default(),
        );
        (workloads, errors, all)
    }

    const DISPLAY: &str = "\
VM,Powerstate,Template,SRM Placeholder,CPUs,Memory,NICs,Disks,Total disk capacity MiB,Provisioned MiB,In Use MiB,OS according to the configuration file,OS according to the VMware Tools,HW version,Datacenter,Cluster,Host,VM UUID
app01,poweredOn,False,False,8,32768,2,2,204800,237568,135168,Microsoft Windows Server 2012 (64-bit),,vmx-10,DC1,prod,esx01,4211-aa
tmpl-w2019,poweredOff,True,False,2,4096,1,1,40960,40960,10240,Windows Server 2019,,vmx-14,DC1,prod,esx01,4211-bb
db01,poweredOff,False,False,4,16384,1,1,102400,102400,51200,Red Hat Enterprise Linux 8 (64-bit),,19,DC1,prod,esx02,4211-cc
";

    #[test]
    fn display_headers_give_sizes_in_mib_and_skip_templates() {
        let (w, errors, all) = scan(&[("RVTools_tabvInfo.csv", DISPLAY)]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(w.len(), 2);
        assert_eq!(all.skipped.get("template"), Some(&1));
        let app = &w[0];
        assert_eq!(app.name, "app01");
        assert_eq!(app.line, 2);
        assert_eq!(app.current.vcpu, Some(8.0));
        assert_eq!(app.current.memory_gib, Some(32.0));
        assert_eq!(app.current.storage_gib, Some(200.0));
        // In Use (132 GiB) less what lies beyond the disks (provisioned - capacity = 32 GiB)
        let used = app.demand.as_ref().and_then(|d| d.storage_gib);
        assert_eq!(used, Some(100.0));
        assert_eq!(app.labels.get("cluster").map(String::as_str), Some("prod"));
        assert_eq!(
            app.facts.get("hardware_version").and_then(Node::as_f64),
            Some(10.0)
        );
        assert_eq!(
            app.facts.get("disk_count").and_then(Node::as_f64),
            Some(2.0)
        );
        let db = &w[1];
        assert_eq!(
            db.facts.get("powered_off").and_then(Node::as_bool),
            Some(true)
        );
        assert_eq!(db.notes, vec!["powered off".to_string()]);
    }

    #[test]
    fn internal_headers_and_semicolons_read_the_same() {
        let internal = "vInfoVMName;vInfoPowerstate;vInfoTemplate;vInfoCPUs;vInfoMemory;vInfoProvisioned;vInfoInUse;vInfoOS;vInfoCluster\n\
app01;poweredOn;False;8;32768;204800;102400;CentOS 7 (64-bit);prod\n";
        let (w, errors, _) = scan(&[("export.csv", internal)]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].current.memory_gib, Some(32.0));
        assert_eq!(w[0].current.storage_gib, Some(200.0));
        assert_eq!(
            w[0].demand.as_ref().and_then(|d| d.storage_gib),
            Some(100.0)
        );
        assert_eq!(
            w[0].facts.get("os").and_then(Node::as_str),
            Some("CentOS 7 (64-bit)")
        );
    }

    #[test]
    fn other_tabs_join_by_uuid_or_name_within_one_export() {
        let cpu = "VM,Powerstate,Template,CPUs,Sockets,Cores p/s,VM UUID\napp01,poweredOn,False,8,2,4,4211-aa\n";
        let part = "VM,Disk,Capacity MiB,Consumed MiB,Free MiB,VM UUID\napp01,C:\\,102400,40960,61440,4211-aa\napp01,D:\\,102400,20480,81920,4211-aa\n";
        let snap = "VM,Name,Description,Date / time,Size MiB (vmsn),VM UUID\napp01,before patch,,2023/04/01 10:00:00,12,4211-aa\n";
        let tools = "VM,Powerstate,Template,Tools,Tools Version,Required Version,VM UUID\napp01,poweredOn,False,toolsOld,10338,12352,4211-aa\n";
        let (w, errors, _) = scan(&[
            ("x/RVTools_tabvInfo.csv", DISPLAY),
            ("x/RVTools_tabvCPU.csv", cpu),
            ("x/RVTools_tabvPartition.csv", part),
            ("x/RVTools_tabvSnapshot.csv", snap),
            ("x/RVTools_tabvTools.csv", tools),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        let app = w
            .iter()
            .find(|w| w.name == "app01")
            .unwrap_or_else(|| panic!("app01"));
        assert_eq!(app.facts.get("sockets").and_then(Node::as_f64), Some(2.0));
        assert_eq!(
            app.facts.get("cores_per_socket").and_then(Node::as_f64),
            Some(4.0)
        );
        assert_eq!(app.demand.as_ref().and_then(|d| d.storage_gib), Some(60.0));
        assert_eq!(
            app.facts.get("snapshot_count").and_then(Node::as_f64),
            Some(1.0)
        );
        assert_eq!(
            app.facts.get("tools_status").and_then(Node::as_str),
            Some("old")
        );
        let db = w
            .iter()
            .find(|w| w.name == "db01")
            .unwrap_or_else(|| panic!("db01"));
        // the snapshot tab exists and does not list db01: it has none
        assert_eq!(
            db.facts.get("snapshot_count").and_then(Node::as_f64),
            Some(0.0)
        );
        // another export in another folder does not join
        let (w, _, _) = scan(&[
            ("x/RVTools_tabvInfo.csv", DISPLAY),
            ("y/RVTools_tabvCPU.csv", cpu),
        ]);
        assert_eq!(w[0].facts.get("sockets"), None);
    }

    #[test]
    fn broken_rows_name_the_row_and_the_rest_is_assessed() {
        let text = "VM,Powerstate,CPUs,Memory,Provisioned MiB\n\
ok1,poweredOn,2,4096,40960\n\
bad-number,poweredOn,eight,4096,40960\n\
short,poweredOn,2\n\
\"quoted,poweredOn,2,4096,40960\n\
ok2,poweredOn,4,8192,81920\n\
,poweredOn,4,8192,81920\n";
        let (w, errors, _) = scan(&[("inventory.csv", text)]);
        let names: Vec<&str> = w.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, vec!["ok1", "bad-number", "ok2"]);
        assert_eq!(w[1].current.vcpu, None);
        assert_eq!(w[1].current.memory_gib, Some(4.0));
        let lines: Vec<Option<u32>> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![Some(3), Some(4), Some(5), Some(7)]);
        assert!(errors.iter().all(|e| e.file == "inventory.csv"));
        assert!(
            errors[0]
                .message
                .contains("VM `bad-number`: CPUs: `eight` is not a number")
        );
    }

    #[test]
    fn excel_sep_hint_lines_are_honoured() {
        let text = "sep=;\nVM;CPUs;Memory\na,b;2;4096\n";
        let (w, errors, _) = scan(&[("hinted.csv", text)]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(w[0].name, "a,b");
        assert_eq!(w[0].line, 3);
        assert_eq!(w[0].current.memory_gib, Some(4.0));
    }

    #[test]
    fn a_workbook_declaring_gigabytes_is_refused_before_it_is_opened() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for part in ["xl/workbook.xml", "xl/worksheets/sheet1.xml"] {
            zip.start_file(part, stored)
                .unwrap_or_else(|e| panic!("{e}"));
            zip.write_all(b"<workbook><sheets><sheet name=\"vInfo\"/></sheets></workbook>")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let mut bytes = zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner();
        // Declare 4 GB for each part in the central directory, as a bomb would.
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(4).position(|w| w == b"PK\x01\x02") {
            let header = at + i;
            bytes[header + 24..header + 28].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
            at = header + 4;
        }
        let mut file = SourceFile::from_text("bomb.xlsx", "");
        file.bytes = bytes;
        let out = ingest(&file, &IngestContext::default());
        assert!(out.workloads.is_empty());
        assert!(
            out.errors[0].message.contains("more than 1 GiB"),
            "{:?}",
            out.errors
        );
    }

    #[test]
    fn csv_that_is_not_rvtools_is_not_claimed() {
        let f = SourceFile::from_text("people.csv", "name,age\nann,3\n");
        assert!(!RvTools.claims_file(&f));
        let f = SourceFile::from_text("renamed.csv", "VM,CPUs,Memory\na,1,1024\n");
        assert!(RvTools.claims_file(&f));
    }
}
