//! Inputs that are small on disk but make a naive reader build a product of their parts:
//! the amplification cases of `tests/hostile_budgets.rs`. The tests build them small; the
//! `gen_hostile` example builds them at full size for the measurements in docs/limits.md.
//!
//! Each generator writes into `dir` and returns the paths to scan.

use std::io::Write;
use std::path::{Path, PathBuf};

fn put(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {name}: {e}"));
    p
}

/// `n` Deployments, `n` Services and `n` NetworkPolicies in one namespace, every selector
/// the same: each workload is selected by every companion (670 KB at n = 1,000).
pub fn kubernetes_companions(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          resources:\n            requests: {{ cpu: 100m, memory: 128Mi }}\n            limits: {{ cpu: 200m, memory: 256Mi }}\n"
        ));
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-{i}\n  namespace: shop\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n"
        ));
        text.push_str(&format!(
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web-{i}\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n  policyTypes: [Ingress]\n"
        ));
    }
    put(dir, "k8s/bundle.yaml", &text)
}

/// One Compose base service with `env` environment entries, extended by `services` others
/// (403 KB at 20,000 x 200).
pub fn compose_extends(dir: &Path, env: usize, services: usize) -> PathBuf {
    let mut text = String::from("services:\n  base:\n    image: app:1.0\n    environment:\n");
    for i in 0..env {
        text.push_str(&format!("      - K{i}=v\n"));
    }
    for i in 0..services {
        text.push_str(&format!("  s{i}:\n    extends: base\n"));
    }
    put(dir, "compose/compose.yaml", &text)
}

/// A SOL006 VNFD with `vdus` VDUs and `flavours` deployment flavours, none with a
/// `vdu-profile` (64 KB at 1,000 x 1,000).
pub fn sol006_flavours(dir: &Path, flavours: usize, vdus: usize) -> PathBuf {
    let mut text = String::from(
        "vnfd:\n  id: amp\n  product-name: amp\n  provider: acme\n  version: '1.0'\n  vdu:\n",
    );
    for i in 0..vdus {
        text.push_str(&format!("    - id: v{i}\n"));
    }
    text.push_str("  df:\n");
    for i in 0..flavours {
        text.push_str(&format!("    - id: f{i}\n"));
    }
    put(dir, "vnf/amp.yaml", &text)
}

/// A YAML file whose mapping merges (`<<: *base`) an anchored mapping of `keys` keys
/// (26 s at 50,000 keys before merges became linear).
pub fn yaml_merge_keys(dir: &Path, keys: usize) -> PathBuf {
    let mut text = String::from(
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: merged }\nspec:\n  platform: vsphere\n  cpu: 2\n  memory: 4GB\n  base: &base\n",
    );
    for i in 0..keys {
        text.push_str(&format!("    k{i}: {i}\n"));
    }
    text.push_str("  copy:\n    <<: *base\n    own: 1\n");
    put(dir, "merge.yaml", &text)
}

/// A rule file of `n` rules (15 s at 8,000 before loading became linear).
pub fn rules_file(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::from("rules:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - id: AMP{i:05}\n    target: vm\n    level: optimised\n    severity: info\n    title: Rule {i}\n    message: \"{{name}} has {{facts.vcpu}} vCPU\"\n    remediation: Nothing.\n    when: {{ path: facts.vcpu, gt: {} }}\n",
            100_000 + i
        ));
    }
    put(dir, "rules/many.yaml", &text)
}

/// RVTools CSV tabs of `n` VMs all named `db01`, none with a UUID, each with a disk row
/// (1.1 GB at n = 3,000 when every VM took every disk).
pub fn rvtools_same_names(dir: &Path, n: usize) -> Vec<PathBuf> {
    let mut info =
        String::from("VM,Powerstate,CPUs,Memory,Disks,OS according to the VMware Tools\n");
    let mut disk = String::from("VM,Disk,Capacity MiB\n");
    for i in 0..n {
        info.push_str("db01,poweredOn,2,4096,1,Red Hat Enterprise Linux 9 (64-bit)\n");
        disk.push_str(&format!("db01,Hard disk 1,{}\n", 10_240 + i));
    }
    vec![
        put(dir, "rvtools/RVTools_tabvInfo.csv", &info),
        put(dir, "rvtools/RVTools_tabvDisk.csv", &disk),
    ]
}

/// An RVTools workbook whose one vInfo cell is an inline string of `cell_bytes` bytes,
/// deflated (921 KB for 900 MB). Written in pieces: the cell is never held in memory.
pub fn rvtools_big_cell(dir: &Path, cell_bytes: usize) -> PathBuf {
    let path = dir.join("rvtools/RVTools_export_all.xlsx");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("create: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(cell_bytes > u32::MAX as usize / 2);
    let mut part = |name: &str, text: &str| {
        zip.start_file(name, options)
            .unwrap_or_else(|e| panic!("zip: {e}"));
        zip.write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("zip: {e}"));
    };
    part(
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="vInfo" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .unwrap_or_else(|e| panic!("zip: {e}"));
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>VM</t></is></c><c r="B1" t="inlineStr"><is><t>CPUs</t></is></c><c r="C1" t="inlineStr"><is><t>Memory</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>"#;
    zip.write_all(head.as_bytes())
        .unwrap_or_else(|e| panic!("zip: {e}"));
    let chunk = vec![b'A'; 1 << 20];
    let mut left = cell_bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n])
            .unwrap_or_else(|e| panic!("zip: {e}"));
        left -= n;
    }
    let tail = r#"</t></is></c><c r="B2"><v>2</v></c><c r="C2"><v>4096</v></c></row></sheetData></worksheet>"#;
    zip.write_all(tail.as_bytes())
        .unwrap_or_else(|e| panic!("zip: {e}"));
    zip.finish().unwrap_or_else(|e| panic!("zip: {e}"));
    path
}
