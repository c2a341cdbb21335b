//! The tabs an RVTools export has and the columns fitscan reads from each.

use super::*;

/// The tabs fitscan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    Info,
    Cpu,
    Memory,
    Disk,
    Partition,
    Snapshot,
    Tools,
}

impl Tab {
    pub(super) const ALL: [Tab; 7] = [
        Tab::Info,
        Tab::Cpu,
        Tab::Memory,
        Tab::Disk,
        Tab::Partition,
        Tab::Snapshot,
        Tab::Tools,
    ];
    pub(super) fn sheet(self) -> &'static str {
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
    pub(super) fn from_prefix(prefix: &str) -> Option<Tab> {
        Tab::ALL
            .into_iter()
            .find(|t| t.sheet().eq_ignore_ascii_case(prefix))
    }

    /// Which tab a CSV export is: by its file name (`RVTools_tabvCPU.csv`) or, when renamed,
    /// by its header (the internal style names the tab in every column; the display style
    /// is recognised by the columns only that tab has).
    pub(super) fn of_csv(file_name: &str, header: &[String]) -> Option<Tab> {
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
pub(super) struct InfoColumns {
    pub(super) name: Option<usize>,
    pub(super) uuid: Option<usize>,
    pub(super) power: Option<usize>,
    pub(super) template: Option<usize>,
    pub(super) srm: Option<usize>,
    pub(super) cpus: Option<usize>,
    pub(super) memory: Option<usize>,
    pub(super) nics: Option<usize>,
    pub(super) disks: Option<usize>,
    pub(super) capacity: Option<usize>,
    pub(super) provisioned: Option<usize>,
    pub(super) in_use: Option<usize>,
    pub(super) os_config: Option<usize>,
    pub(super) os_tools: Option<usize>,
    pub(super) datacenter: Option<usize>,
    pub(super) cluster: Option<usize>,
    pub(super) host: Option<usize>,
    pub(super) folder: Option<usize>,
    pub(super) vapp: Option<usize>,
    pub(super) vcenter: Option<usize>,
    pub(super) hw_version: Option<usize>,
    pub(super) annotation: Option<usize>,
    pub(super) cluster_rules: Option<usize>,
    pub(super) cluster_rule_names: Option<usize>,
    pub(super) restart_priority: Option<usize>,
    pub(super) firmware: Option<usize>,
    pub(super) latency_sensitivity: Option<usize>,
    pub(super) ft_state: Option<usize>,
}

impl InfoColumns {
    pub(super) fn new(c: &Columns) -> Self {
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
            annotation: c.find(&["annotation", "notes"]),
            cluster_rules: c.find(&["clusterrules", "clusterrule"]),
            cluster_rule_names: c.find(&["clusterrulenames", "clusterrulename"]),
            restart_priority: c.find(&[
                "harestartpriority",
                "restartpriority",
                "dasrestartpriority",
            ]),
            firmware: c.find(&["firmware", "boottype"]),
            latency_sensitivity: c.find(&["latencysensitivity"]),
            ft_state: c.find(&["ftstate", "faulttolerancestate"]),
        }
    }
}

/// Columns of the tabs that add to vInfo.
pub(super) struct ExtraColumns {
    pub(super) name: Option<usize>,
    pub(super) uuid: Option<usize>,
    pub(super) template: Option<usize>,
    pub(super) sockets: Option<usize>,
    pub(super) cores: Option<usize>,
    pub(super) size: Option<usize>,
    pub(super) capacity: Option<usize>,
    pub(super) consumed: Option<usize>,
    pub(super) date: Option<usize>,
    pub(super) tools: Option<usize>,
    pub(super) tools_version: Option<usize>,
    pub(super) vcenter: Option<usize>,
    /// vCPU (MHz) and vMemory (MiB) `Reservation`.
    pub(super) reservation: Option<usize>,
    /// vDisk `Raw`, `Raw Comp. Mode`, `Disk Mode`, `Sharing mode`.
    pub(super) raw: Option<usize>,
    pub(super) raw_mode: Option<usize>,
    pub(super) disk_mode: Option<usize>,
    pub(super) sharing: Option<usize>,
}

impl ExtraColumns {
    pub(super) fn new(c: &Columns) -> Self {
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
            reservation: c.find(&["reservation", "reservationmhz", "reservationmib"]),
            raw: c.find(&["raw", "rawdisk"]),
            raw_mode: c.find(&["rawcompmode", "rawcompatibilitymode"]),
            disk_mode: c.find(&["diskmode", "mode"]),
            sharing: c.find(&["sharingmode", "sharing"]),
        }
    }
}

/// A row as cells of text, from a CSV record or a worksheet row.
pub(super) trait Cells {
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
pub(super) fn excel_date(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return String::new();
    }
    let (y, m, d) = crate::units::civil_from_days(serial.floor() as i64 - 25_569);
    format!("{y:04}-{m:02}-{d:02}")
}
