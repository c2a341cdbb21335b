//! What the tabs other than vInfo add to a VM (CPU topology, disks, partitions, snapshots, Tools).

use super::*;

/// One vDisk row: its capacity and what decides whether it can move as it is.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct DiskRow {
    pub(super) mib: f64,
    /// `physical` or `virtual` compatibility for a raw device mapping.
    pub(super) rdm: Option<String>,
    /// `independent-persistent` or `independent-nonpersistent` (persistent says nothing).
    pub(super) mode: Option<String>,
    /// `multi-writer` when the disk is shared between VMs.
    pub(super) sharing: Option<String>,
}

impl DiskRow {
    fn to_node(&self, line: u32) -> Node {
        let mut n = Node::map(line);
        n.insert("size", Node::str(mib(self.mib), line));
        for (k, v) in [
            ("rdm", &self.rdm),
            ("mode", &self.mode),
            ("sharing", &self.sharing),
        ] {
            if let Some(v) = v {
                n.insert(k, Node::str(v.clone(), line));
            }
        }
        n
    }
    fn from_node(n: &Node) -> Option<DiskRow> {
        let text = |k: &str| n.get(k).and_then(Node::as_str).map(str::to_string);
        Some(DiskRow {
            mib: n.as_f64().or_else(|| n.get("mib").and_then(Node::as_f64))?,
            rdm: text("rdm"),
            mode: text("mode"),
            sharing: text("sharing"),
        })
    }
}

/// What the other tabs say about one VM, merged into its spec.
#[derive(Debug, Default, Clone)]
pub(super) struct Extra {
    pub(super) sockets: Option<f64>,
    pub(super) cores_per_socket: Option<f64>,
    pub(super) memory_mib: Option<f64>,
    pub(super) disks: Vec<DiskRow>,
    pub(super) consumed_mib: Option<f64>,
    pub(super) partition_capacity_mib: Option<f64>,
    pub(super) snapshots: Option<u32>,
    pub(super) oldest_snapshot: Option<String>,
    pub(super) tools_status: Option<String>,
    pub(super) tools_version: Option<String>,
    /// vCPU `Reservation`, MHz.
    pub(super) cpu_reservation_mhz: Option<f64>,
    /// vMemory `Reservation`, MiB.
    pub(super) memory_reservation_mib: Option<f64>,
}

impl Extra {
    pub(super) fn merge(&mut self, other: &Extra) {
        self.sockets = self.sockets.or(other.sockets);
        self.cores_per_socket = self.cores_per_socket.or(other.cores_per_socket);
        self.memory_mib = self.memory_mib.or(other.memory_mib);
        self.disks.extend(other.disks.iter().cloned());
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
        self.cpu_reservation_mhz = self.cpu_reservation_mhz.or(other.cpu_reservation_mhz);
        self.memory_reservation_mib = self.memory_reservation_mib.or(other.memory_reservation_mib);
    }

    /// As a node, to travel between files in an [`Object`].
    pub(super) fn to_node(&self) -> Node {
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
        num("cpuReservation", self.cpu_reservation_mhz);
        num("memoryReservation", self.memory_reservation_mib);
        if !self.disks.is_empty() {
            let disks = self
                .disks
                .iter()
                .map(|d| {
                    let mut m = d.to_node(0);
                    m.insert("mib", Node::float(d.mib, 0));
                    m
                })
                .collect();
            n.insert("disks", Node::seq(disks, 0));
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

    pub(super) fn from_node(n: &Node) -> Extra {
        let num = |k: &str| n.get(k).and_then(Node::as_f64);
        let text = |k: &str| n.get(k).and_then(Node::as_str).map(str::to_string);
        Extra {
            sockets: num("sockets"),
            cores_per_socket: num("cores"),
            memory_mib: num("memory"),
            disks: n
                .get("disks")
                .and_then(Node::as_seq)
                .map(|s| s.iter().filter_map(DiskRow::from_node).collect())
                .unwrap_or_default(),
            consumed_mib: num("consumed"),
            partition_capacity_mib: num("partitionCapacity"),
            snapshots: num("snapshots").map(|v| v as u32),
            oldest_snapshot: text("oldest"),
            tools_status: text("tools"),
            tools_version: text("toolsVersion"),
            cpu_reservation_mhz: num("cpuReservation"),
            memory_reservation_mib: num("memoryReservation"),
        }
    }
}

pub(super) fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// Who a row is about: its VM's name, UUID and vCenter (`VI SDK Server`), as written.
#[derive(Debug, Clone, Default)]
pub(super) struct VmId {
    pub(super) name: String,
    pub(super) uuid: String,
    pub(super) vcenter: String,
}

impl VmId {
    /// Its UUID key, when the row has one (the same in every vCenter).
    pub(super) fn uuid_key(&self) -> Option<String> {
        let uuid = self.uuid.trim();
        (!uuid.is_empty()).then(|| format!("uuid:{}", uuid.to_ascii_lowercase()))
    }
    /// Its name within its vCenter (names repeat across vCenters), case-insensitive.
    pub(super) fn name_key(&self) -> String {
        name_key(&self.vcenter, &self.name)
    }
}

pub(super) fn name_key(vcenter: &str, name: &str) -> String {
    format!(
        "name:{}\u{0}{}",
        vcenter.trim().to_lowercase(),
        name.trim().to_lowercase()
    )
}

/// Per-VM extras of the other tabs, keyed by UUID and by vCenter and name.
#[derive(Default)]
pub(super) struct ExtraIndex {
    pub(super) by_key: HashMap<String, Extra>,
}

/// How a VM's rows in the other tabs were found.
pub(super) enum Found<'a> {
    Extra(&'a Extra),
    /// Only by a name other VMs of the same vInfo share: the key they share.
    Ambiguous(String),
    None,
}

impl ExtraIndex {
    pub(super) fn add(&mut self, id: &VmId, extra: Extra) {
        if let Some(k) = id.uuid_key() {
            self.by_key.entry(k).or_default().merge(&extra);
        }
        self.by_key.entry(id.name_key()).or_default().merge(&extra);
    }

    /// The VM's extras: by UUID, else by vCenter and name, else (a tab exported without the
    /// vCenter column) by name alone, unless `names` counts more than one VM under that key.
    pub(super) fn find(&self, id: &VmId, names: &HashMap<String, usize>) -> Found<'_> {
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
pub(super) fn name_counts<'a>(ids: impl Iterator<Item = &'a VmId>) -> HashMap<String, usize> {
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
pub(super) fn join_extras<'i>(
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
pub(super) fn read_extra_row(
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
            extra.cpu_reservation_mhz = number(cols.reservation, "Reservation");
        }
        Tab::Memory => {
            extra.memory_mib = number(cols.size, "Size MiB").filter(|v| *v > 0.0);
            extra.memory_reservation_mib = number(cols.reservation, "Reservation");
        }
        Tab::Disk => {
            if let Some(c) = number(cols.capacity, "Capacity MiB") {
                extra.disks.push(disk_row(c, row, cols));
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

/// A vDisk row's capacity with its raw-mapping, mode and sharing columns, in the words of
/// the VM spec (`Raw` True with `Raw Comp. Mode` physicalMode -> `rdm: physical`).
fn disk_row(mib: f64, row: &dyn Cells, cols: &ExtraColumns) -> DiskRow {
    let lower = |col: Option<usize>| row.cell(col).trim().to_ascii_lowercase();
    // A column that is there says `none` when the disk is plain: known, not merely unsaid.
    let rdm = cols.raw.map(|_| match parse_bool(&row.cell(cols.raw)) {
        Ok(Some(true)) if lower(cols.raw_mode).starts_with("virtual") => "virtual",
        Ok(Some(true)) => "physical",
        _ => "none",
    });
    let mode = cols.disk_mode.map(|_| {
        let mode = lower(cols.disk_mode);
        if mode.contains("nonpersistent") {
            "independent-nonpersistent"
        } else if mode.starts_with("independent") {
            "independent-persistent"
        } else {
            "persistent"
        }
    });
    let sharing = cols.sharing.map(|_| {
        let sharing = lower(cols.sharing);
        if sharing.contains("multi") || sharing.contains("writer") {
            "multi-writer"
        } else {
            "none"
        }
    });
    let (rdm, mode, sharing) = (
        rdm.map(str::to_string),
        mode.map(str::to_string),
        sharing.map(str::to_string),
    );
    DiskRow {
        mib,
        rdm,
        mode,
        sharing,
    }
}

/// Adds the other tabs' knowledge to a VM's spec, at the VM's row.
pub(super) fn apply_extra(doc: &mut Node, extra: &Extra) {
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
    if !extra.disks.is_empty() {
        let disks = extra.disks.iter().map(|d| d.to_node(line)).collect();
        set(spec, "disks", Node::seq(disks, line));
    }
    if let Some(consumed) = extra.consumed_mib {
        // The guest's own view of its file systems beats the datastore's In Use.
        set(
            spec,
            "utilisation.storage.used",
            Node::str(mib(consumed), line),
        );
        if extra.disks.is_empty()
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
    if let Some(mhz) = extra.cpu_reservation_mhz {
        set(spec, "reservations.cpuMhz", Node::float(mhz, line));
    }
    if let Some(m) = extra.memory_reservation_mib {
        set(spec, "reservations.memory", Node::str(mib(m), line));
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
pub(super) fn note_tab_present(doc: &mut Node, tab: Tab) {
    let line = doc.line;
    let Some(spec) = doc.get_mut("spec") else {
        return;
    };
    if tab == Tab::Snapshot && spec.get("snapshots").is_none() {
        tabular::set_located(spec, "snapshots.count", Node::int(0, line), line);
    }
}
