//! An RVTools vInfo export: the columns RVTools 4.x writes that fitscan reads, plus the ones
//! around them a real export carries (DNS name, annotations, paths), so that the file size is
//! realistic. A path ending in `.xlsx` writes the workbook (sheet vInfo) instead of the CSV.

use std::io::{BufWriter, Write};
use std::path::Path;

const OSES: &[&str] = &[
    "Microsoft Windows Server 2019 (64-bit)",
    "Microsoft Windows Server 2012 (64-bit)",
    "Red Hat Enterprise Linux 8 (64-bit)",
    "CentOS 7 (64-bit)",
    "Ubuntu Linux (64-bit)",
    "SUSE Linux Enterprise 12 (64-bit)",
    "Microsoft Windows Server 2022 (64-bit)",
];

/// Writes `count` VMs to `path` (CSV, or a workbook for `.xlsx`); returns the CSV bytes.
pub fn write(path: &Path, count: u64) -> std::io::Result<usize> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = Vec::new();
    let mut out = BufWriter::new(&mut text);
    writeln!(
        out,
        "VM,Powerstate,Template,SRM Placeholder,Config status,DNS Name,Connection state,Guest state,Heartbeat,PowerOn,CPUs,Memory,NICs,Disks,Total disk capacity MiB,Provisioned MiB,In Use MiB,Unshared MiB,Resource pool,Folder,Annotation,HW version,Path,Datacenter,Cluster,Host,OS according to the configuration file,OS according to the VMware Tools,VM ID,VM UUID,VI SDK Server"
    )?;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    for i in 0..count {
        let cpus = [1, 2, 2, 4, 4, 8, 16][next(7) as usize];
        let memory = cpus * 1024 * [2, 4, 8][next(3) as usize];
        let disks = 1 + next(4);
        let capacity = disks * 1024 * (40 + next(400));
        let provisioned = capacity + memory;
        let in_use = provisioned * (20 + next(70)) / 100;
        let power = if next(10) == 0 {
            "poweredOff"
        } else {
            "poweredOn"
        };
        let template = if next(200) == 0 { "True" } else { "False" };
        let os = OSES[next(OSES.len() as u64) as usize];
        let cluster = next(40);
        let host = cluster * 16 + next(16);
        writeln!(
            out,
            "vm-{i:06},{power},{template},False,green,vm-{i:06}.corp.example,connected,running,green,2024/01/{:02} 08:00:00,{cpus},{memory},1,{disks},{capacity},{provisioned},{in_use},{in_use},/Resources/pool-{cluster},/vm/apps/team-{},\"owner: team {}; ticket CHG{i}\",vmx-{},[ds-{cluster}] vm-{i:06}/vm-{i:06}.vmx,DC{},cluster-{cluster:02},esx{host:04}.corp.example,{os},{os},vm-{},4211{i:012x}-aaaa-bbbb-cccc-{i:012x},vcenter{}.corp.example",
            1 + next(28),
            next(30),
            next(30),
            [10, 13, 14, 17, 19, 21][next(6) as usize],
            cluster % 3,
            1000 + i,
            cluster % 3,
        )?;
    }
    out.flush()?;
    drop(out);
    let size = text.len();
    if path.extension().is_some_and(|e| e == "xlsx") {
        write_xlsx(&text, path)?;
    } else {
        std::fs::write(path, text)?;
    }
    Ok(size)
}

/// The same rows as an RVTools workbook: numbers as numbers, text as text.
fn write_xlsx(csv_text: &[u8], path: &Path) -> std::io::Result<()> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("vInfo").map_err(std::io::Error::other)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text);
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(std::io::Error::other)?;
        for (c, cell) in record.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => ws.write_number(r, c, n),
                _ => ws.write_string(r, c, cell),
            }
            .map_err(std::io::Error::other)?;
        }
    }
    wb.save(path).map_err(std::io::Error::other)
}
