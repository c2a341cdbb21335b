#![no_main]
//! Inventories as CSV: RVTools tabs (both header styles) and Azure Migrate imports; the
//! first byte picks the header the rest is read under, so that rows get deep.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const HEADERS: &[&str] = &[
    "",
    "VM,Powerstate,Template,CPUs,Memory,NICs,Disks,Total disk capacity MiB,Provisioned MiB,In Use MiB,OS according to the configuration file,Datacenter,Cluster,Host,VM UUID\n",
    "vInfoVMName;vInfoPowerstate;vInfoCPUs;vInfoMemory;vInfoProvisioned;vInfoInUse;vInfoOS\n",
    "VM,Disk,Capacity MiB,Thin\n",
    "VM,Partition,Capacity MiB,Consumed MiB,Free MiB\n",
    "Server name,Cores,Memory (MB),OS name,OS version,CPU utilization percentage,Memory utilization percentage,Number of disks,Disk 1 size (GB),Disk 2 size (GB)\n",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = HEADERS[usize::from(pick) % HEADERS.len()]
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(rest);
    for name in [
        "RVTools_tabvInfo.csv",
        "RVTools_tabvDisk.csv",
        "azure-import.csv",
    ] {
        let out = common::ingest_named(name, &bytes);
        let mut workloads = out.workloads;
        let mut errors = out.errors;
        // Nothing on disk is read for a file another names (a Compose include).
        let ctx = fitscan::ingest::IngestContext {
            roots: Some(Vec::new()),
            ..fitscan::ingest::IngestContext::default()
        };
        fitscan::ingest::link(&mut workloads, out.objects, &mut errors, &ctx);
    }
});
