//! The Azure Migrate server import CSV (the "import-based discovery" template): `Server
//! name`, `Cores`, `Memory (In MB)` (or `Memory (MB)`), `OS name`, `OS version`, `CPU
//! utilization percentage`, `Memory utilization percentage`, `Number of disks`, `Disk N size
//! (In GB)`, with or without the `*` Azure puts before mandatory headers.
//!
//! `MB` and `GB` are MiB and GiB, as the spec says for inventories. The utilisation columns
//! are one figure each, not a percentile over samples: they become demand of low
//! confidence (`Demand.weak`), written into the spec as `utilisation.cpu.avg`.

use std::sync::Arc;

use super::tabular::{self, Columns, CsvRecord, CsvRow, SpecBuilder, gib, mib, parse_number};
use super::vmspec::VmSpec;
use super::{FileOutput, IngestContext, Input};
use crate::model::ScanError;
use crate::source::SourceFile;

pub struct AzureMigrate;

struct AzureColumns {
    name: Option<usize>,
    cores: Option<usize>,
    memory: Option<usize>,
    os_name: Option<usize>,
    os_version: Option<usize>,
    cpu_util: Option<usize>,
    memory_util: Option<usize>,
    nics: Option<usize>,
    disk_count: Option<usize>,
    boot_type: Option<usize>,
    os_architecture: Option<usize>,
    /// `Disk N size (In GB)` columns, in N order.
    disks: Vec<(u32, usize)>,
}

impl AzureColumns {
    fn new(header: &[String]) -> Self {
        let c = Columns::new(header);
        let mut disks: Vec<(u32, usize)> = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let n = tabular::normalise_header(h);
                let rest = n.strip_prefix("disk")?;
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let tail = &rest[digits.len()..];
                let is_size = matches!(tail, "sizeingb" | "sizegb" | "sizeingib" | "sizegib");
                (is_size && !digits.is_empty())
                    .then(|| digits.parse::<u32>().ok().map(|d| (d, i)))
                    .flatten()
            })
            .collect();
        disks.sort_unstable();
        AzureColumns {
            name: c.find(&["servername"]),
            cores: c.find(&["cores", "numberofcores"]),
            memory: c.find(&["memoryinmb", "memorymb", "memoryinmib", "memorymib"]),
            os_name: c.find(&["osname"]),
            os_version: c.find(&["osversion"]),
            cpu_util: c.find(&[
                "cpuutilizationpercentage",
                "cpuutilisationpercentage",
                "cpuutilization",
            ]),
            memory_util: c.find(&[
                "memoryutilizationpercentage",
                "memoryutilisationpercentage",
                "memoryutilization",
            ]),
            nics: c.find(&["networkadapters", "numberofnetworkadapters"]),
            disk_count: c.find(&["numberofdisks"]),
            boot_type: c.find(&["boottype", "firmware"]),
            os_architecture: c.find(&["osarchitecture"]),
            disks,
        }
    }
}

fn is_azure_header(header: &[String]) -> bool {
    let c = Columns::new(header);
    c.has("servername")
        && c.has("cores")
        && ["memoryinmb", "memorymb", "memoryinmib", "memorymib"]
            .iter()
            .any(|k| c.has(k))
}

fn header_cells(file: &SourceFile) -> Option<Vec<String>> {
    let text = tabular::decode_head(file);
    let line = tabular::first_line(&text);
    let delimiter = tabular::delimiter_of(&text);
    let record = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(line.as_bytes())
        .records()
        .next()?
        .ok()?;
    Some(record.iter().map(str::to_string).collect())
}

impl Input for AzureMigrate {
    fn name(&self) -> &'static str {
        "azure-migrate"
    }

    fn wants_file_name(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower.ends_with(".csv") || lower.ends_with(".tsv")
    }

    fn claims_file(&self, file: &SourceFile) -> bool {
        header_cells(file).is_some_and(|h| is_azure_header(&h))
    }

    fn ingest_file(&self, file: &SourceFile, ctx: &IngestContext, out: &mut FileOutput) {
        let text = tabular::decode(file);
        let delimiter = tabular::delimiter_of(&text);
        let mut cols = None;
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        let csv_errors = tabular::read_csv(file, &text, delimiter, |record| match record {
            CsvRecord::Header(header) => {
                let cells: Vec<String> = header.iter().map(str::to_string).collect();
                if !is_azure_header(&cells) {
                    return Err(
                        "not an Azure Migrate import (needs Server name, Cores and Memory (In MB))"
                            .into(),
                    );
                }
                cols = Some(AzureColumns::new(&cells));
                Ok(())
            }
            CsvRecord::Row(row) => {
                if let Some(c) = &cols {
                    rows.extend(read_row(c, &row, &file.display, &mut errors));
                    if rows.len() == BATCH_ROWS {
                        build_batch(&mut rows, file, ctx, out, &mut errors);
                    }
                }
                Ok(())
            }
        });
        build_batch(&mut rows, file, ctx, out, &mut errors);
        errors.extend(csv_errors);
        errors.sort_by_key(|e| e.line);
        out.errors.extend(errors);
    }
}

/// Rows made into workloads at a time, on the scan's pool: an import can hold a whole
/// estate, and its rows would otherwise wait for, and be built on, the one worker reading it.
const BATCH_ROWS: usize = 256;

/// Builds a batch of rows into workloads in parallel and in row order, each row's errors
/// after it, and hands them over to `ctx.early` (no other file joins an import) or keeps
/// them in `out`; empties the batch.
fn build_batch(
    rows: &mut Vec<(String, crate::node::Node)>,
    file: &SourceFile,
    ctx: &IngestContext,
    out: &mut FileOutput,
    errors: &mut Vec<ScanError>,
) {
    use rayon::prelude::*;
    let built: Vec<(crate::model::Workload, Vec<ScanError>)> = std::mem::take(rows)
        .into_par_iter()
        .map(|(name, doc)| {
            let mut row_errors = Vec::new();
            let w = VmSpec::workload_from_doc(doc, name, &file.display, ctx, &mut row_errors);
            (w, row_errors)
        })
        .collect();
    let mut workloads = Vec::with_capacity(built.len());
    for (w, row_errors) in built {
        workloads.push(w);
        errors.extend(row_errors);
    }
    out.hand_over(ctx.early, &file.display, workloads);
}

fn read_row(
    cols: &AzureColumns,
    row: &CsvRow<'_>,
    file: &Arc<str>,
    errors: &mut Vec<ScanError>,
) -> Option<(String, crate::node::Node)> {
    let line = row.line;
    let name = row.get(cols.name).to_string();
    if name.is_empty() {
        errors.push(ScanError::parse(
            file,
            Some(line),
            "row has no Server name: this row is skipped",
        ));
        return None;
    }
    let mut number = |col: Option<usize>, what: &str| -> Option<f64> {
        match parse_number(row.get(col)) {
            Ok(Some(v)) if v >= 0.0 => Some(v),
            Ok(Some(v)) => {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("server `{name}`: {what}: `{v}` is negative"),
                ));
                None
            }
            Ok(None) => None,
            Err(e) => {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("server `{name}`: {what}: {e}"),
                ));
                None
            }
        }
    };
    let mut b = SpecBuilder::new(line);
    let os_name = row.get(cols.os_name);
    let os_version = row.get(cols.os_version);
    let os = if os_version.is_empty() || os_name.contains(os_version) {
        os_name.to_string()
    } else {
        format!("{os_name} {os_version}")
    };
    b.text("os", os);
    b.text("firmware", row.get(cols.boot_type));
    b.text("osArchitecture", row.get(cols.os_architecture));
    let cores = number(cols.cores, "Cores").filter(|v| *v > 0.0);
    if let Some(c) = cores {
        b.number("cpu.vcpus", c);
    }
    let memory = number(cols.memory, "Memory (In MB)").filter(|v| *v > 0.0);
    if let Some(m) = memory {
        b.text("memory", mib(m));
    }
    if let Some(n) = number(cols.nics, "Network adapters") {
        b.number("nics", n);
    }
    let mut disks = Vec::new();
    for (n, col) in &cols.disks {
        if let Some(size) =
            number(Some(*col), &format!("Disk {n} size (In GB)")).filter(|v| *v > 0.0)
        {
            let mut d = crate::node::Node::map(line);
            d.insert("size", crate::node::Node::str(gib(size), line));
            disks.push(d);
        }
    }
    let declared = number(cols.disk_count, "Number of disks");
    if !disks.is_empty() {
        b.set("disks", crate::node::Node::seq(disks, line));
    } else if declared.is_some_and(|n| n > 0.0) {
        b.number("diskCount", declared.unwrap_or(0.0));
    }
    let cpu_util = number(cols.cpu_util, "CPU utilization percentage");
    let memory_util = number(cols.memory_util, "Memory utilization percentage");
    // A share of an unknown size is no demand (the size's own error is already reported).
    for (value, what, path) in [
        (
            cpu_util.filter(|_| cores.is_some()),
            "CPU utilization percentage",
            "utilisation.cpu.avg",
        ),
        (
            memory_util.filter(|_| memory.is_some()),
            "Memory utilization percentage",
            "utilisation.memory.avg",
        ),
    ] {
        match value {
            Some(v) if v <= 100.0 => b.text(path, format!("{}%", crate::node::format_number(v))),
            Some(v) => errors.push(ScanError::parse(
                file,
                Some(line),
                format!("server `{name}`: {what}: `{v}` is above 100"),
            )),
            None => {}
        }
    }
    Some((name.clone(), b.into_doc(&name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ingest;
    use crate::node::Node;

    const TEMPLATE: &str = "\
*Server name,IP addresses,*Cores,*Memory (In MB),*OS name,OS version,OS architecture,CPU utilization percentage,Memory utilization percentage,Network adapters,Boot type,Number of disks,Disk 1 size (In GB),Disk 1 read throughput (MB per second),Disk 2 size (In GB),Disk 3 size (In GB)
web01,10.0.0.4,8,32768,Microsoft Windows Server 2012 R2,6.3,x64,40,25,2,BIOS,2,128,12,512,
sql01,10.0.0.5,16,65536,Ubuntu,18.04,x64,,,1,UEFI,1,256,,,
";

    #[test]
    fn reads_the_template_with_low_confidence_demand() {
        let out = ingest(
            &SourceFile::from_text("azure-import.csv", TEMPLATE),
            &IngestContext::default(),
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.workloads.len(), 2);
        let web = &out.workloads[0];
        assert_eq!(web.name, "web01");
        assert_eq!(web.line, 2);
        assert_eq!(web.current.vcpu, Some(8.0));
        assert_eq!(web.current.memory_gib, Some(32.0));
        assert_eq!(web.current.storage_gib, Some(640.0));
        let d = web.demand.clone().unwrap_or_default();
        assert_eq!((d.vcpu, d.memory_gib, d.weak), (Some(3.2), Some(8.0), true));
        assert_eq!(
            web.facts.get("os").and_then(Node::as_str),
            Some("Microsoft Windows Server 2012 R2 6.3")
        );
        let sql = &out.workloads[1];
        assert_eq!(sql.demand, None);
        assert_eq!(
            sql.facts.get("os").and_then(Node::as_str),
            Some("Ubuntu 18.04")
        );
    }

    #[test]
    fn headers_without_stars_and_with_semicolons() {
        let text = "Server name;Cores;Memory (MB);OS name;CPU utilization percentage\napp;4;8192;RHEL 9;12,5\n";
        let out = ingest(
            &SourceFile::from_text("servers.csv", text),
            &IngestContext::default(),
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let d = out.workloads[0].demand.clone().unwrap_or_default();
        assert_eq!(d.vcpu, Some(0.5));
    }

    #[test]
    fn bad_cells_name_the_row() {
        let text = "Server name,Cores,Memory (In MB),CPU utilization percentage\na,four,8192,10\nb,2,4096,250\n";
        let out = ingest(
            &SourceFile::from_text("servers.csv", text),
            &IngestContext::default(),
        );
        assert_eq!(out.workloads.len(), 2);
        let messages: Vec<String> = out.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "servers.csv:2: server `a`: Cores: `four` is not a number".to_string(),
                "servers.csv:3: server `b`: CPU utilization percentage: `250` is above 100"
                    .to_string(),
            ]
        );
    }
}
