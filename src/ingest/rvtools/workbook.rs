//! Reading the workbook and sniffing the CSV export: streaming sheets, size checks.

use super::*;

/// Hands every non-empty row of a worksheet to `on_row` with its Excel row number, cell by
/// cell from the sheet's XML: a workbook of 50,000 VMs is never held as one grid. A row with
/// a cell longer than a spreadsheet cell holds is an error instead, and reading stops after
/// [`tabular::MAX_ROWS`] rows, with an error. calamine's calls are guarded ([`calamine`]),
/// `on_row` is not: a panic there is fitscan's, and goes on up.
pub(super) fn stream_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    file: &str,
    errors: &mut Vec<ScanError>,
    mut on_row: impl FnMut(u32, &[Data]),
) -> Result<Result<(), calamine::XlsxError>, ReaderPanicked> {
    let mut reader = match calamine(move || wb.worksheet_cells_reader(sheet))? {
        Ok(reader) => reader,
        Err(e) => return Ok(Err(e)),
    };
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
    loop {
        let cell = match calamine(|| reader.next_cell())? {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => return Ok(Err(e)),
        };
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if !flush(current, &mut row) {
                return Ok(Ok(()));
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
        row[c] = calamine(|| Data::from(cell.get_value().clone()))?;
    }
    flush(current, &mut row);
    Ok(Ok(()))
}

/// The longest run of bytes without markup (a cell's text, an attribute) a workbook part may
/// hold: a cell of [`tabular::MAX_CELL_CHARS`] characters, each written as an XML reference
/// at worst. A longer run is no spreadsheet's; read whole, it would take gigabytes.
pub(super) const MAX_XML_RUN: u64 = 8 * tabular::MAX_CELL_CHARS as u64;

/// Scans every XML part of the workbook, streamed through a small buffer, for a run of text
/// (or a tag) longer than [`MAX_XML_RUN`] bytes: the error for the first one, if any.
pub(super) fn long_xml_run(file: &SourceFile) -> Result<Option<String>, zip::result::ZipError> {
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
pub(super) const MAX_COLUMNS: usize = 1024;

pub(super) fn require_info_columns(cols: &Columns) -> Result<(), String> {
    if cols.find(&["vm", "vmname"]).is_none() {
        return Err("no VM column (`VM` or `vInfoVMName`)".into());
    }
    Ok(())
}

pub(super) trait CellTexts {
    fn cell_texts(&self) -> Vec<String>;
}

impl CellTexts for [Data] {
    fn cell_texts(&self) -> Vec<String> {
        self.iter().map(|c| c.to_string()).collect()
    }
}

/// The export a per-tab CSV belongs to: its folder plus the file-name part before `tabv`
/// (`vc1_tabvInfo.csv` and `vc1_tabvCPU.csv` belong together, `vc2_...` apart).
pub(super) fn export_group(file: &SourceFile) -> String {
    let dir = file
        .path
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let name = file.file_name().to_ascii_lowercase();
    let prefix = name.find("tabv").map_or("", |i| &name[..i]);
    format!("{dir}\u{0}{prefix}")
}

pub(super) fn sniff_csv(file: &SourceFile) -> Option<Tab> {
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

/// Whether a CSV is the vCluster tab (by name, else by its header).
pub(super) fn sniff_vcluster(file: &SourceFile) -> bool {
    let text = tabular::decode_head(file);
    let header = tabular::first_line(&text);
    let delimiter = tabular::delimiter_of(&text);
    let cells: Option<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(header.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect());
    cells.is_some_and(|c| super::vcluster::is_vcluster_csv(&file.file_name(), &c))
}

pub(super) fn is_xlsx_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xlsx") || lower.ends_with(".xlsm")
}

/// The sizes the workbook's central directory declares for its parts, added up. (The zip
/// crate's own total gives up on parts written with data descriptors, as Excel's are.)
pub(super) fn uncompressed_size(file: &SourceFile) -> Result<u128, zip::result::ZipError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(file.bytes.as_slice()))?;
    let mut total = 0u128;
    for i in 0..zip.len() {
        total += u128::from(zip.by_index_raw(i)?.size());
    }
    Ok(total)
}

pub(super) fn workbook_has_vinfo(file: &SourceFile) -> bool {
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
mod guard_tests {
    use super::*;

    fn workbook() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let sheet = wb.add_worksheet();
        sheet.set_name("vInfo").unwrap();
        sheet.write_string(0, 0, "VM").unwrap();
        sheet.write_string(1, 0, "app-01").unwrap();
        wb.save_to_buffer().unwrap()
    }

    /// The guard is calamine's alone: a bug in what fitscan does with a row must not pass
    /// for a malformed workbook, or no test (the mutation tests included) would see it.
    #[test]
    fn a_panic_in_fitscans_row_code_goes_on_up() {
        let bytes = workbook();
        let mut wb = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut errors = Vec::new();
        let mut rows = 0;
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            stream_sheet(&mut wb, "vInfo", "f.xlsx", &mut errors, |line, _| {
                rows += 1;
                assert!(line < 2, "a bug in row building");
            })
        }));
        assert!(
            caught.is_err(),
            "the row's panic was caught: {:?}",
            caught.is_ok()
        );
        assert_eq!(rows, 2);
    }

    #[test]
    fn a_panic_in_calamine_is_the_readers() {
        assert!(calamine::<()>(|| panic!("overflow")).is_err());
        assert!(calamine(|| 1).is_ok());
    }
}
