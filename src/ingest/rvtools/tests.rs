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
    assert_eq!(app.labels.get("cluster"), Some("prod"));
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

/// Rows are read in batches on the pool: across batch boundaries, the workloads keep the
/// rows' order and each error its row, and templates are still counted.
#[test]
fn rows_past_a_batch_keep_their_order_errors_and_skips() {
    let rows = 3 * INFO_BATCH_ROWS + 7;
    let mut text = String::from("VM,Template,CPUs,Memory\n");
    let mut expected_names = Vec::new();
    let mut expected_error_lines = Vec::new();
    let mut templates = 0;
    for i in 0..rows {
        let line = i as u32 + 2;
        match i % 97 {
            13 => {
                text.push_str(&format!("vm{i},False,minus,4096\n"));
                expected_names.push(format!("vm{i}"));
                expected_error_lines.push(Some(line));
            }
            41 => {
                text.push_str(",False,2,4096\n");
                expected_error_lines.push(Some(line));
            }
            77 => {
                text.push_str(&format!("tmpl{i},True,2,4096\n"));
                templates += 1;
            }
            _ => {
                text.push_str(&format!("vm{i},False,2,4096\n"));
                expected_names.push(format!("vm{i}"));
            }
        }
    }
    let (w, errors, out) = scan(&[("inventory.csv", &text)]);
    let names: Vec<&str> = w.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, expected_names);
    let lines: Vec<u32> = w.iter().map(|w| w.line).collect();
    assert!(lines.windows(2).all(|p| p[0] < p[1]));
    let error_lines: Vec<Option<u32>> = errors.iter().map(|e| e.line).collect();
    assert_eq!(error_lines, expected_error_lines);
    assert_eq!(out.skipped.get("template"), Some(&templates));
}

/// Takes what an inventory hands over, as the scan's `Early` does, without assessing it.
#[derive(Debug, Default)]
struct Collect {
    files: Vec<std::path::PathBuf>,
    batches: std::sync::Mutex<Vec<Vec<String>>>,
}

impl Early for Collect {
    fn only_table_in_folder(&self, path: &std::path::Path) -> bool {
        !self
            .files
            .iter()
            .any(|f| f.as_path() != path && f.parent() == path.parent())
    }
    fn take(&self, _file: &Arc<str>, batch: Vec<Workload>) {
        if let Ok(mut b) = self.batches.lock() {
            b.push(batch.into_iter().map(|w| w.name).collect());
        }
    }
}

/// A vInfo CSV no other file of the scan can join hands its VMs over batch by batch, in row
/// order; with another CSV of its export in the scan, they wait for the join.
#[test]
fn an_export_alone_hands_its_vms_over_as_it_reads_them() {
    let rows = 2 * INFO_BATCH_ROWS + 5;
    let mut text = String::from("VM,CPUs,Memory\n");
    for i in 0..rows {
        text.push_str(&format!("vm{i},2,4096\n"));
    }
    let file = SourceFile::from_text("export/RVTools_tabvInfo.csv", &text);
    let alone = Collect {
        files: vec![file.path.clone(), "other/RVTools_tabvDisk.csv".into()],
        ..Collect::default()
    };
    let ctx = IngestContext {
        early: Some(&alone),
        ..IngestContext::default()
    };
    let out = ingest(&file, &ctx);
    assert!(out.workloads.is_empty());
    assert_eq!(out.handed_over, rows);
    let batches = alone.batches.lock().map(|b| b.clone()).unwrap_or_default();
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![INFO_BATCH_ROWS, INFO_BATCH_ROWS, 5]
    );
    let names: Vec<String> = batches.concat();
    let expected: Vec<String> = (0..rows).map(|i| format!("vm{i}")).collect();
    assert_eq!(names, expected);

    let with_a_tab = Collect {
        files: vec![file.path.clone(), "export/RVTools_tabvDisk.csv".into()],
        ..Collect::default()
    };
    let ctx = IngestContext {
        early: Some(&with_a_tab),
        ..IngestContext::default()
    };
    let out = ingest(&file, &ctx);
    assert_eq!(out.workloads.len(), rows);
    assert!(with_a_tab.batches.lock().is_ok_and(|b| b.is_empty()));
}

/// A workbook joins no other file: its VMs are handed over a batch at a time once its
/// sheets are read, in row order.
#[test]
fn a_workbook_hands_its_vms_over_in_batches() {
    let rows = INFO_BATCH_ROWS + 9;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.set_name("vInfo");
    for (c, header) in ["VM", "CPUs", "Memory"].iter().enumerate() {
        let _ = ws.write_string(0, c as u16, *header);
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        let _ = ws.write_string(r, 0, format!("vm{i}"));
        let _ = ws.write_number(r, 1, 2.0);
        let _ = ws.write_number(r, 2, 4096.0);
    }
    let bytes = match wb.save_to_buffer() {
        Ok(b) => b,
        Err(e) => panic!("workbook: {e}"),
    };
    let mut file = SourceFile::from_text("RVTools_export_all.xlsx", "");
    file.bytes = bytes;
    let sink = Collect::default();
    let ctx = IngestContext {
        early: Some(&sink),
        ..IngestContext::default()
    };
    let out = ingest(&file, &ctx);
    assert!(out.workloads.is_empty(), "{:?}", out.errors);
    // Its workloads were handed over: the file is not "no workload in it".
    assert_eq!(out.handed_over, rows);
    assert!(out.skips.is_empty(), "{:?}", out.skips);
    let batches = sink.batches.lock().map(|b| b.clone()).unwrap_or_default();
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![INFO_BATCH_ROWS, 9]
    );
    let expected: Vec<String> = (0..rows).map(|i| format!("vm{i}")).collect();
    assert_eq!(batches.concat(), expected);
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
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
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

#[test]
fn reservations_come_from_the_cpu_and_memory_tabs_in_both_header_styles() {
    let cpu = "VM,Powerstate,Template,CPUs,Sockets,Cores p/s,Shares,Reservation,Limit,VM UUID\napp01,poweredOn,False,8,2,4,8000,4000,-1,4211-aa\ndb01,poweredOff,False,4,1,4,4000,0,-1,4211-cc\n";
    let mem = "VM,Size MiB,Memory Reservation Locked To Max,Reservation,Limit,VM UUID\napp01,32768,True,32768,-1,4211-aa\n";
    let (w, errors, _) = scan(&[
        ("x/RVTools_tabvInfo.csv", DISPLAY),
        ("x/RVTools_tabvCPU.csv", cpu),
        ("x/RVTools_tabvMemory.csv", mem),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    let fact = |name: &str, key: &str| {
        w.iter()
            .find(|w| w.name == name)
            .and_then(|w| w.facts.get(key))
            .and_then(Node::as_f64)
    };
    assert_eq!(fact("app01", "cpu_reservation_mhz"), Some(4000.0));
    assert_eq!(fact("app01", "memory_reservation_gib"), Some(32.0));
    assert_eq!(fact("db01", "cpu_reservation_mhz"), Some(0.0));
    // Not in the memory tab: nothing said, nothing assumed.
    assert_eq!(fact("db01", "memory_reservation_gib"), None);

    // RVTools' internal column names (`vCPUReservation`, `vMemoryReservation`).
    let cpu = "vCPUVMName,vCPUSockets,vCPUCoresPerSocket,vCPUReservation,vCPUUUID\napp01,2,4,1200,4211-aa\n";
    let mem =
        "vMemoryVMName,vMemorySizeMiB,vMemoryReservation,vMemoryUUID\napp01,32768,2048,4211-aa\n";
    let (w, errors, _) = scan(&[
        ("x/RVTools_tabvInfo.csv", DISPLAY),
        ("x/RVTools_tabvCPU.csv", cpu),
        ("x/RVTools_tabvMemory.csv", mem),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    let app = w.iter().find(|w| w.name == "app01");
    let f = |key: &str| app.and_then(|w| w.facts.get(key)).and_then(Node::as_f64);
    assert_eq!(f("cpu_reservation_mhz"), Some(1200.0));
    assert_eq!(f("memory_reservation_gib"), Some(2.0));

    // A reservation that is not a number is an error naming the row.
    let cpu = "VM,Reservation,VM UUID\napp01,lots,4211-aa\n";
    let (_, errors, _) = scan(&[
        ("x/RVTools_tabvInfo.csv", DISPLAY),
        ("x/RVTools_tabvCPU.csv", cpu),
    ]);
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("Reservation") && e.line == Some(2)),
        "{errors:?}"
    );
}

#[test]
fn a_workbook_vm_document_held_while_the_other_sheets_are_read_comes_back_whole() {
    let text = "kind: VM\nspec:\n  cpu: 4\n  memoryGiB: 15.5\n  template: false\n  folder: ~\n  disks:\n    - sizeGiB: 100\n      name: \"Hard disk 1\"\n  notes: |\n    two\n    lines\n";
    let docs = match crate::yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => panic!("{e:?}"),
    };
    for doc in &docs {
        assert_eq!(unhold(&hold(doc)).as_ref(), Some(doc));
    }
    // The held form is what it is for: far smaller than the tree.
    let vm = read_info_row_doc();
    assert!(
        hold(&vm).len() * 3 < tree_bytes(&vm),
        "{} vs {}",
        hold(&vm).len(),
        tree_bytes(&vm)
    );
}

/// A vInfo row's document, as a workbook's reading makes it.
fn read_info_row_doc() -> Node {
    let mut lines = DISPLAY.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::to_string)
        .collect();
    let row: Vec<Data> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(|c| Data::String(c.to_string()))
        .collect();
    let cols = InfoColumns::new(&Columns::new(&header));
    let mut errors = Vec::new();
    match read_info_row(&cols, &row.as_slice(), 2, "t.xlsx", &mut errors) {
        InfoRow::Vm { doc, .. } => doc,
        _ => panic!("not a VM row: {errors:?}"),
    }
}

/// The heap a document tree takes, roughly: each node, each key and each text.
fn tree_bytes(n: &Node) -> usize {
    use crate::node::Value;
    std::mem::size_of::<Node>()
        + match &n.value {
            Value::Str(s) => s.capacity(),
            Value::Seq(items) => items.iter().map(tree_bytes).sum(),
            Value::Map(entries) => entries
                .iter()
                .map(|e| e.key.capacity() + std::mem::size_of::<String>() + tree_bytes(&e.value))
                .sum(),
            _ => 0,
        }
}
