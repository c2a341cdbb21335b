//! A vInfo row as a VM spec document.

use super::*;

/// A vInfo row: its VM spec document, or why it is not a workload.
pub(super) enum InfoRow {
    Vm { id: VmId, doc: Node },
    Skipped(&'static str),
    Invalid,
}

pub(super) fn read_info_row(
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
    b.text("annotation", row.cell(cols.annotation));
    b.text("haRestartPriority", row.cell(cols.restart_priority));
    // What decides whether the VM moves as it is (migration readiness).
    b.text("firmware", row.cell(cols.firmware));
    b.text("latencySensitivity", row.cell(cols.latency_sensitivity));
    b.text("faultTolerance", row.cell(cols.ft_state));
    // The DRS rules columns: present (even empty) says the VM is in no rule.
    for (key, col) in [
        ("clusterRules", cols.cluster_rules),
        ("clusterRuleNames", cols.cluster_rule_names),
    ] {
        if col.is_some() {
            b.set(key, Node::str(row.cell(col), line));
        }
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
