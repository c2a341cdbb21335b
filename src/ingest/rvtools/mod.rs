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
use super::{Early, FileOutput, IngestContext, Input, Object};
use crate::model::{ScanError, Workload};
use crate::node::Node;
use crate::source::SourceFile;

pub struct RvTools;

const INPUT_NAME: &str = "rvtools";

/// Uncompressed size above which a workbook is refused: no RVTools export of any estate
/// comes near it, a decompression bomb does.
const MAX_XLSX_UNCOMPRESSED: u128 = 1024 * 1024 * 1024;

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

/// vInfo rows read into workloads at a time, on the scan's pool: one export can hold the
/// whole estate, and its rows would otherwise be read on the one worker that opened it.
/// A batch is small enough that the copies of its rows cost next to nothing in memory.
const INFO_BATCH_ROWS: usize = 256;

/// What one vInfo row became: a VM (`T`: its workload, or a workbook's held document), a
/// row that is not a workload, or a row its errors account for.
enum RowRead<T> {
    Vm(T),
    Skipped(&'static str),
    Invalid,
}

/// Boxed: a short list, moved once; the room of a whole workload per skip is not.
type Built = RowRead<Box<Workload>>;

/// A workbook's vInfo row while the other sheets are read.
type Held = RowRead<(VmId, HeldDoc)>;

/// Reads a batch of vInfo CSV rows into workloads, in parallel and in row order, each with
/// the errors its row gave; empties the batch.
fn build_csv_vms(
    cols: &InfoColumns,
    pending: &mut Vec<(u32, csv::StringRecord)>,
    file: &Arc<str>,
) -> Vec<(Built, Vec<ScanError>)> {
    use rayon::prelude::*;
    let built = pending
        .par_iter()
        .map(|(line, cells)| {
            let mut errors = Vec::new();
            let row = CsvRow { line: *line, cells };
            let built = match read_info_row(cols, &row, *line, file, &mut errors) {
                InfoRow::Vm { id, doc } => RowRead::Vm(Box::new(build_workload(
                    doc,
                    id.name,
                    None,
                    &[],
                    file,
                    &mut errors,
                ))),
                InfoRow::Skipped(reason) => RowRead::Skipped(reason),
                InfoRow::Invalid => RowRead::Invalid,
            };
            (built, errors)
        })
        .collect();
    pending.clear();
    built
}

/// A workbook's VM document while it waits for the other sheets: encoded
/// ([`crate::node_binary`]), a fifth of the room of the tree, which for 50,000 VMs was
/// most of what the scan held.
type HeldDoc = Box<[u8]>;

fn hold(doc: &Node) -> HeldDoc {
    let mut bytes = crate::node_binary::encode(std::slice::from_ref(doc));
    crate::model::shrink_exact(&mut bytes);
    bytes.into_boxed_slice()
}

/// The document [`hold`] encoded; None only if fitscan's own encoding failed it.
fn unhold(held: &HeldDoc) -> Option<Node> {
    crate::node_binary::decode(held).and_then(|mut docs| docs.pop())
}

/// Reads a batch of vInfo sheet rows into VM documents, in parallel and in row order (the
/// workloads are built once the other sheets are joined); empties the batch.
fn read_xlsx_rows(
    cols: &InfoColumns,
    pending: &mut Vec<(u32, Vec<Data>)>,
    file: &SourceFile,
    vms: &mut Vec<(VmId, u32, HeldDoc)>,
    skipped: &mut Vec<&'static str>,
    errors: &mut Vec<ScanError>,
) {
    use rayon::prelude::*;
    let read: Vec<(u32, Held, Vec<ScanError>)> = pending
        .par_iter()
        .map(|(line, cells)| {
            let mut row_errors = Vec::new();
            let row = match read_info_row(
                cols,
                &cells.as_slice(),
                *line,
                &file.display,
                &mut row_errors,
            ) {
                InfoRow::Vm { id, doc } => RowRead::Vm((id, hold(&doc))),
                InfoRow::Skipped(reason) => RowRead::Skipped(reason),
                InfoRow::Invalid => RowRead::Invalid,
            };
            (*line, row, row_errors)
        })
        .collect();
    pending.clear();
    for (line, row, row_errors) in read {
        match row {
            RowRead::Vm((id, doc)) => vms.push((id, line, doc)),
            RowRead::Skipped(reason) => skipped.push(reason),
            RowRead::Invalid => {}
        }
        errors.extend(row_errors);
    }
}

/// Files a batch's workloads, skips and errors, in row order: the workloads are handed over
/// to `early` when given, else they wait in `out` (other tabs, if the export has them, are
/// joined in `link`).
fn take_built(
    batch: Vec<(Built, Vec<ScanError>)>,
    file: &SourceFile,
    early: Option<&dyn Early>,
    out: &mut FileOutput,
    skipped: &mut Vec<&'static str>,
    errors: &mut Vec<ScanError>,
) {
    let mut workloads = Vec::with_capacity(batch.len());
    for (row, row_errors) in batch {
        match row {
            RowRead::Vm(w) => workloads.push(*w),
            RowRead::Skipped(reason) => skipped.push(reason),
            RowRead::Invalid => {}
        }
        errors.extend(row_errors);
    }
    out.hand_over(early, &file.display, workloads);
}

/// A panic inside calamine, the spreadsheet reader, caught at the call.
pub(super) struct ReaderPanicked;

/// Runs one call into calamine. It does arithmetic on cell references that overflows on a
/// malformed one (`AAAAAAAAAA1`): a panic where overflow checks are on (debug builds,
/// fuzzing), which is the file's parse error. Only calamine's own calls are guarded: a
/// panic in fitscan's row and workload building is a bug, and must surface as one.
pub(super) fn calamine<T>(call: impl FnOnce() -> T) -> Result<T, ReaderPanicked> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).map_err(|_| ReaderPanicked)
}

impl RvTools {
    /// Reads a workbook; where calamine panicked, the file's one error says so and nothing
    /// read from it before is kept.
    fn ingest_xlsx(&self, file: &SourceFile, early: Option<&dyn Early>, out: &mut FileOutput) {
        let mut read = FileOutput::default();
        match self.read_xlsx(file, early, &mut read) {
            Ok(()) => {
                out.workloads.append(&mut read.workloads);
                out.objects.append(&mut read.objects);
                out.vsphere_clusters.append(&mut read.vsphere_clusters);
                out.handed_over += read.handed_over;
                out.errors.append(&mut read.errors);
                for (reason, n) in read.skipped {
                    *out.skipped.entry(reason).or_default() += n;
                }
            }
            Err(ReaderPanicked) => out.errors.push(ScanError::parse(
                &file.display,
                None,
                "not a readable .xlsx workbook: the spreadsheet reader failed on a malformed part (a cell reference out of range?)",
            )),
        }
    }

    /// Reads a workbook. Its VMs are handed over to `early` once all its sheets are read,
    /// after the last call into calamine: a reader's panic never follows a hand-over.
    fn read_xlsx(
        &self,
        file: &SourceFile,
        early: Option<&dyn Early>,
        out: &mut FileOutput,
    ) -> Result<(), ReaderPanicked> {
        let too_big = uncompressed_size(file).map(|size| size > MAX_XLSX_UNCOMPRESSED);
        match too_big {
            Ok(false) => {}
            Ok(true) => {
                out.errors.push(ScanError::input(
                    &file.display,
                    "workbook refused: it would decompress to more than 1 GiB (a zip bomb?)",
                ));
                return Ok(());
            }
            Err(e) => {
                out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("not a readable .xlsx workbook: {e}"),
                ));
                return Ok(());
            }
        }
        // calamine holds a cell's text (and every shared string) whole: a part with a run
        // of text longer than a cell can hold is refused before it is opened.
        match long_xml_run(file) {
            Ok(None) => {}
            Ok(Some(message)) => {
                out.errors.push(ScanError::input(&file.display, message));
                return Ok(());
            }
            Err(e) => {
                out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("not a readable .xlsx workbook: {e}"),
                ));
                return Ok(());
            }
        }
        let mut wb = match calamine(|| Xlsx::new(Cursor::new(file.bytes.as_slice())))? {
            Ok(wb) => wb,
            Err(e) => {
                out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("not a readable .xlsx workbook: {e}"),
                ));
                return Ok(());
            }
        };
        let sheets = calamine(|| wb.sheet_names())?;
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
            return Ok(());
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
            )?;
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
        if let Some(sheet) = sheets
            .iter()
            .find(|s| s.trim().eq_ignore_ascii_case("vCluster"))
            .cloned()
        {
            let mut cols = None;
            let mut errors = Vec::new();
            let read = stream_sheet(
                &mut wb,
                &sheet,
                &file.display,
                &mut out.errors,
                |line, cells| match &cols {
                    None => cols = Some(ClusterColumns::new(&Columns::new(&cells.cell_texts()))),
                    Some(c) => out.vsphere_clusters.extend(vcluster::read_row(
                        c,
                        &cells,
                        line,
                        &file.display,
                        &mut errors,
                    )),
                },
            )?;
            out.errors.extend(errors);
            if let Err(e) = read {
                out.errors.push(ScanError::parse(
                    &file.display,
                    None,
                    format!("sheet {sheet}: {e}"),
                ));
            }
        }
        let mut cols: Option<InfoColumns> = None;
        let mut header_error = None;
        let mut errors = Vec::new();
        // VMs are joined to the other tabs once all are read: a name shared by two VMs
        // without UUIDs is only known then.
        let mut vms: Vec<(VmId, u32, HeldDoc)> = Vec::new();
        let mut skipped: Vec<&'static str> = Vec::new();
        let mut limit_errors = Vec::new();
        let mut pending: Vec<(u32, Vec<Data>)> = Vec::with_capacity(INFO_BATCH_ROWS);
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
                pending.push((line, cells.to_vec()));
                if pending.len() == INFO_BATCH_ROWS {
                    read_xlsx_rows(c, &mut pending, file, &mut vms, &mut skipped, &mut errors);
                }
            },
        )?;
        if let Some(c) = &cols {
            read_xlsx_rows(c, &mut pending, file, &mut vms, &mut skipped, &mut errors);
        }
        errors.extend(limit_errors);
        // Split, not cloned: the ids and documents of 50,000 rows are held once.
        let (ids, docs): (Vec<(VmId, u32)>, Vec<HeldDoc>) = vms
            .into_iter()
            .map(|(id, line, doc)| ((id, line), doc))
            .unzip();
        let extras = join_extras(&ids, &index, &file.display, &mut errors);
        // A batch at a time on the pool, in row order, each VM with the errors it gave; handed
        // over to `early` when given (a workbook joins no other file), else kept in `out`.
        let mut ids = ids.into_iter();
        let mut docs = docs.into_iter();
        let mut extras = extras.into_iter();
        loop {
            let batch: Vec<_> = ids
                .by_ref()
                .zip(docs.by_ref())
                .zip(extras.by_ref())
                .take(INFO_BATCH_ROWS)
                .collect();
            if batch.is_empty() {
                break;
            }
            let built: Vec<(Built, Vec<ScanError>)> = {
                use rayon::prelude::*;
                batch
                    .into_par_iter()
                    .map(|(((id, line), held), extra)| {
                        let mut vm_errors = Vec::new();
                        let Some(doc) = unhold(&held) else {
                            vm_errors.push(ScanError::parse(
                                &file.display,
                                Some(line),
                                format!("internal error while reading VM `{}` (a bug in fitscan, please report it with the file)", id.name),
                            ));
                            return (RowRead::Invalid, vm_errors);
                        };
                        drop(held);
                        let w = build_workload(
                            doc,
                            id.name,
                            extra,
                            &tabs,
                            &file.display,
                            &mut vm_errors,
                        );
                        (RowRead::Vm(Box::new(w)), vm_errors)
                    })
                    .collect()
            };
            take_built(built, file, early, out, &mut skipped, &mut errors);
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
        Ok(())
    }

    fn ingest_csv(&self, file: &SourceFile, early: Option<&dyn Early>, out: &mut FileOutput) {
        let text = tabular::decode(file);
        let delimiter = tabular::delimiter_of(&text);
        let group = export_group(file);
        let mut tab = None;
        let mut info_cols = None;
        let mut extra_cols = None;
        let mut index = ExtraIndex::default();
        let mut skipped: Vec<&'static str> = Vec::new();
        let mut errors = Vec::new();
        let mut vcluster_cols: Option<ClusterColumns> = None;
        let mut vsphere = Vec::new();
        let mut pending: Vec<(u32, csv::StringRecord)> = Vec::with_capacity(INFO_BATCH_ROWS);
        let csv_errors = tabular::read_csv(file, &text, delimiter, |record| match record {
            CsvRecord::Header(header) => {
                let cells: Vec<String> = header.iter().map(str::to_string).collect();
                if vcluster::is_vcluster_csv(&file.file_name(), &cells) {
                    vcluster_cols = Some(ClusterColumns::new(&Columns::new(&cells)));
                    return Ok(());
                }
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
                if let Some(c) = &vcluster_cols {
                    vsphere.extend(vcluster::read_row(
                        c,
                        &row,
                        row.line,
                        &file.display,
                        &mut errors,
                    ));
                    return Ok(());
                }
                match (tab, &info_cols, &extra_cols) {
                    (Some(Tab::Info), Some(cols), _) => {
                        pending.push((row.line, row.cells.clone()));
                        if pending.len() == INFO_BATCH_ROWS {
                            let batch = build_csv_vms(cols, &mut pending, &file.display);
                            take_built(batch, file, early, out, &mut skipped, &mut errors);
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
        if let Some(cols) = &info_cols {
            let batch = build_csv_vms(cols, &mut pending, &file.display);
            take_built(batch, file, early, out, &mut skipped, &mut errors);
        }
        errors.extend(csv_errors);
        out.vsphere_clusters.extend(vsphere);
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
        sniff_csv(file).is_some() || sniff_vcluster(file)
    }

    fn ingest_file(&self, file: &SourceFile, ctx: &IngestContext, out: &mut FileOutput) {
        if is_xlsx_name(&file.file_name()) {
            // A workbook holds its export's every tab: no other file joins its VMs.
            self.ingest_xlsx(file, ctx.early, out);
        } else {
            // VMs no other file can join are handed over for assessment as they are read:
            // another CSV beside this one may be a tab of its export.
            let early = ctx.early.filter(|e| e.only_table_in_folder(&file.path));
            self.ingest_csv(file, early, out);
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

mod columns;
mod extras;
mod rows;
#[cfg(test)]
mod tests;
mod vcluster;
mod workbook;

use columns::*;
use extras::*;
use rows::*;
use vcluster::ClusterColumns;
use workbook::*;
