//! VM specs in fitscan's own format, from servers lifted as they were (oversized, idle,
//! configuration baked in) to right-sized and scaled-out ones, with and without utilisation,
//! a few mainframe LPARs; one VM per file, `VirtualMachineList` files of several, and JSON.

use std::fmt::Write as _;
use std::path::Path;

use crate::rng::Rng;

const OSES: &[&str] = &[
    "RHEL 7.9",
    "RHEL 8.8",
    "Windows Server 2012 R2",
    "Windows Server 2019",
    "Ubuntu 22.04",
    "SLES 12 SP5",
    "CentOS 7",
];
const PLATFORMS: &[&str] = &[
    "vsphere",
    "physical",
    "hyperv",
    "kvm",
    "openstack",
    "aws",
    "azure",
];
const ROLES: &[&str] = &["app", "db", "web", "batch", "file", "middleware"];

const CURRENT_OSES: &[&str] = &[
    "RHEL 9.4",
    "Ubuntu 24.04",
    "Windows Server 2022",
    "SLES 15 SP6",
];

/// What a VM is like: lifted as it was, right-sized, built for the platform, or unmeasured.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Mainframe,
    Lifted,
    RightSized,
    PurposeBuilt,
    Unmeasured,
}

/// One VM spec document, every line indented by `pad`.
fn vm(rng: &mut Rng, name: &str, pad: &str) -> String {
    let shape = match rng.below(10) {
        0 => Shape::Mainframe,
        1..=4 => Shape::Lifted,
        5..=6 => Shape::RightSized,
        7 => Shape::PurposeBuilt,
        _ => Shape::Unmeasured,
    };
    let mut y = String::new();
    let _ = writeln!(y, "apiVersion: fitscan/v1\nkind: VirtualMachine");
    let _ = writeln!(
        y,
        "metadata:\n  name: {name}\n  labels: {{ app: {}, env: {} }}",
        rng.pick(&["billing", "crm", "cdr", "portal", "erp", "hr"]),
        rng.pick(&["prod", "test", "dev"])
    );
    let _ = writeln!(y, "spec:");
    if shape == Shape::Mainframe {
        let _ = writeln!(
            y,
            "  platform: mainframe\n  os: {}\n  role: {}\n  cpu: {{ vcpus: {} }}\n  memory: {}GB",
            rng.pick(&["z/OS 2.5", "z/VM 7.3", "IBM i 7.4"]),
            rng.pick(ROLES),
            2 + rng.below(6) * 2,
            64 << rng.below(3)
        );
        return indent(&y, pad);
    }
    let modern = matches!(shape, Shape::RightSized | Shape::PurposeBuilt);
    let os = if modern {
        rng.pick(CURRENT_OSES)
    } else {
        rng.pick(OSES)
    };
    let _ = writeln!(
        y,
        "  platform: {}\n  os: {os}\n  role: {}",
        rng.pick(PLATFORMS),
        rng.pick(ROLES)
    );
    let vcpus = [2u64, 4, 8, 16, 32][rng.below(5) as usize];
    if rng.chance(50) {
        let _ = writeln!(y, "  cpu: {{ sockets: 2, coresPerSocket: {} }}", vcpus / 2);
    } else {
        let _ = writeln!(y, "  cpu: {{ vcpus: {vcpus} }}");
    }
    let memory = vcpus * [2u64, 4, 8][rng.below(3) as usize];
    let _ = writeln!(y, "  memory: {memory}GB");
    let (disk_count, disk_size) = match shape {
        Shape::Lifted => (4 + rng.below(26), [100u64, 300, 500][rng.below(3) as usize]),
        _ => (1 + rng.below(2), [64u64, 128, 256][rng.below(3) as usize]),
    };
    let _ = writeln!(
        y,
        "  disks:\n    - {{ size: {disk_size}GB, count: {disk_count} }}"
    );
    let _ = writeln!(y, "  nics: {}", 1 + rng.below(3));
    if shape != Shape::Unmeasured {
        // Lifted servers idle on their old sizing; the others use most of what they have.
        let (cpu, mem, disk) = if modern {
            (60 + rng.below(15), 65 + rng.below(10), 55 + rng.below(20))
        } else {
            (3 + rng.below(15), 10 + rng.below(15), 5 + rng.below(20))
        };
        let _ = writeln!(
            y,
            "  utilisation:\n    periodDays: 30\n    samples: {}\n    cpu: {{ p95: {cpu}%, peak: {}% }}\n    memory: {{ p95: {}GB, peak: {}GB }}\n    storage: {{ used: {}GB }}",
            8640 - rng.below(500),
            (cpu + 10).min(100),
            (memory * mem / 100).max(1),
            (memory * (mem + 5) / 100).max(1),
            disk_count * disk_size * disk / 100
        );
    }
    let app = match shape {
        Shape::Lifted => Some(["baked", "local", "none", "none", "none", "none"]),
        Shape::RightSized => Some([
            rng.pick(&["files", "env"]),
            rng.pick(&["local", "shared"]),
            "crash-consistent",
            rng.pick(&["none", "active-passive"]),
            rng.pick(&["none", "vertical"]),
            "at-rest",
        ]),
        Shape::PurposeBuilt => Some([
            "service",
            "external",
            "app-consistent",
            "scale-out",
            "auto",
            "everywhere",
        ]),
        _ => None,
    };
    if let Some([config, state, backup, ha, scaling, encryption]) = app {
        let _ = writeln!(
            y,
            "  app:\n    config: {config}\n    state: {state}\n    backup: {backup}\n    ha: {ha}\n    scaling: {scaling}\n    encryption: {encryption}"
        );
    }
    if rng.chance(5) {
        let _ = writeln!(y, "  ignore: [VM012]");
    }
    indent(&y, pad)
}

fn indent(text: &str, pad: &str) -> String {
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// Writes `files` VM spec files under `dir`; returns (VMs, bytes).
pub fn write(dir: &Path, files: usize) -> std::io::Result<(usize, usize)> {
    let mut rng = Rng::new(0x0005_eed0_ff17_5ca4);
    let (mut vms, mut bytes) = (0, 0);
    for i in 0..files {
        let folder = dir.join(format!("site-{:02}", i % 25));
        std::fs::create_dir_all(&folder)?;
        let (name, text) = match rng.below(10) {
            // A list of a few VMs, as an export of one application's servers.
            0 => {
                let n = 2 + rng.below(4) as usize;
                let items: String = (0..n)
                    .map(|k| {
                        let doc = vm(&mut rng, &format!("vm-{i:05}-{k}"), "    ");
                        // The first line's indentation becomes the item's dash.
                        format!("  - {}", &doc[4..])
                    })
                    .collect();
                vms += n;
                (
                    format!("vms-{i:05}.yaml"),
                    format!("apiVersion: fitscan/v1\nkind: VirtualMachineList\nitems:\n{items}"),
                )
            }
            // Several documents in one file.
            1 => {
                let docs: Vec<String> = (0..3)
                    .map(|k| vm(&mut rng, &format!("vm-{i:05}-{k}"), ""))
                    .collect();
                vms += 3;
                (format!("vms-{i:05}.yml"), docs.join("---\n"))
            }
            _ => {
                vms += 1;
                (
                    format!("vm-{i:05}.yaml"),
                    vm(&mut rng, &format!("vm-{i:05}"), ""),
                )
            }
        };
        bytes += text.len();
        std::fs::write(folder.join(name), text)?;
    }
    Ok((vms, bytes))
}
