//! VNF descriptors from the command line: SOL001 packages (imports, flavours, TOSCA.meta)
//! and SOL006 / OSM descriptors, as a user meets them.

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{fitscan, write};

fn json_of(args: &[&str]) -> Value {
    let out = fitscan()
        .args(args)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn workloads(r: &Value) -> Vec<Value> {
    r["workloads"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(ws: &'a [Value], name: &str) -> &'a Value {
    ws.iter()
        .find(|w| w["name"] == name)
        .unwrap_or_else(|| panic!("no workload {name} in {ws:?}"))
}

fn rules_of(w: &Value) -> Vec<String> {
    w["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_samples_land_in_their_phases() {
    let r = json_of(&["scan", "samples/vnf"]);
    let ws = workloads(&r);
    assert_eq!(ws.len(), 5, "{ws:?}");
    // VM-based VNFs are generation 2; phases stay relative to that platform.
    for (name, phase, readiness) in [
        ("legacy-ims/default-df", "unchanged", "needs-rework"),
        ("vepc-gw/default-df", "optimised", "needs-rework"),
        ("Cloud SMF/default", "purpose-built", "ready"),
        (
            "upf/default",
            "purpose-built",
            "ready-with-platform-features",
        ),
    ] {
        let w = find(&ws, name);
        assert_eq!(w["phase"], phase, "{name}");
        assert_eq!(w["kind"], "vnf");
        assert_eq!(w["generation"], 2);
        assert_eq!(w["cnf_readiness"]["verdict"], readiness, "{name}");
    }
    // The UPF's journey ends as a CNF on Kubernetes, generation 3.
    let cnf = find(&ws, "core/upf");
    assert_eq!(cnf["generation"], 3);
    assert_eq!(cnf["phase"], "purpose-built");
    assert_eq!(find(&ws, "legacy-ims/default-df")["disconnect"], true);
    assert!(r["errors"].as_array().is_some_and(Vec::is_empty), "{r}");
}

#[test]
fn a_package_folder_is_one_workload_per_flavour_not_one_per_file() {
    let r = json_of(&["scan", "rules/vnf/fixtures/cloud"]);
    let ws = workloads(&r);
    let names: Vec<&str> = ws.iter().filter_map(|w| w["name"].as_str()).collect();
    assert_eq!(names, vec!["Cloud UPF/large", "Cloud UPF/small"]);
    for w in &ws {
        assert_eq!(
            w["file"],
            "rules/vnf/fixtures/cloud/Definitions/cloud_top.yaml"
        );
        assert_eq!(w["line"], 14, "the VNF node of the top-level VNFD");
    }
    // Each flavour is sized from its own VDUs: 2 instances of each of two VDUs.
    let small = find(&ws, "Cloud UPF/small");
    assert_eq!(small["rightsizing"]["current"]["vcpu"], 8.0);
    assert_eq!(small["rightsizing"]["current"]["memory_gib"], 16.0);
    let large = find(&ws, "Cloud UPF/large");
    assert_eq!(large["rightsizing"]["current"]["vcpu"], 16.0);
    let vdu = &large["components"][0];
    assert_eq!(vdu["name"], "upf-cp");
    assert_eq!(
        vdu["file"],
        "rules/vnf/fixtures/cloud/Definitions/cloud_df_large.yaml"
    );
    assert_eq!(vdu["line"], 44);
    assert_eq!(vdu["count"], 2.0);
    // 10 GiB local disk and the 20 GiB state volume attached to each instance.
    assert_eq!(vdu["rightsizing"]["current"]["storage_gib"], 30.0);
}

#[test]
fn a_top_level_vnfd_named_alone_reads_its_imports_and_points_into_them() {
    let r = json_of(&[
        "scan",
        "rules/vnf/fixtures/appliance/Definitions/appliance_top.yaml",
    ]);
    let ws = workloads(&r);
    assert_eq!(ws.len(), 1);
    let w = &ws[0];
    assert_eq!(w["name"], "Legacy SBC/standard");
    assert_eq!(w["phase"], "unchanged");
    let finding = |rule: &str| {
        w["findings"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["rule"] == rule))
            .map(|f| (f["file"].clone(), f["line"].clone()))
    };
    let df = "rules/vnf/fixtures/appliance/Definitions/appliance_df.yaml";
    assert_eq!(finding("VNF009"), Some((df.into(), 28.into())));
    assert_eq!(finding("VNF004"), Some((df.into(), 29.into())));
    assert_eq!(
        finding("VNF017"),
        Some((
            "rules/vnf/fixtures/appliance/Definitions/appliance_top.yaml".into(),
            17.into()
        ))
    );
    assert!(
        w["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("appliance_df.yaml")),
        "{w}"
    );
    // The standard types imports (by name and by URL) are known, never an error.
    assert!(r["errors"].as_array().is_some_and(Vec::is_empty), "{r}");
}

#[test]
fn tosca_meta_names_the_entry_definitions() {
    let r = json_of(&[
        "scan",
        "rules/vnf/fixtures/appliance/TOSCA-Metadata/TOSCA.meta",
    ]);
    let ws = workloads(&r);
    assert_eq!(ws.len(), 1, "{r}");
    assert_eq!(ws[0]["name"], "Legacy SBC/standard");
    // The whole package folder gives the same single workload.
    let r = json_of(&["scan", "rules/vnf/fixtures/appliance"]);
    assert_eq!(workloads(&r).len(), 1, "{r}");
}

#[test]
fn tosca_sizes_keep_their_exact_units() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = write(
        dir.path(),
        "Definitions/vnfd.yaml",
        "tosca_definitions_version: tosca_simple_yaml_1_3
topology_template:
  node_templates:
    a:
      type: tosca.nodes.nfv.Vdu.Compute
      capabilities:
        virtual_compute:
          properties:
            virtual_cpu: { num_virtual_cpu: 1 }
            virtual_memory: { virtual_mem_size: 512 MB }
            virtual_local_storage: [ { size_of_storage: 4 GB }, { size_of_storage: 1 GiB } ]
    b:
      type: tosca.nodes.nfv.Vdu.Compute
      capabilities:
        virtual_compute:
          properties:
            virtual_cpu: { num_virtual_cpu: 1 }
            virtual_memory: { virtual_mem_size: 512 MiB }
",
    );
    let r = json_of(&["scan", &f]);
    let ws = workloads(&r);
    let current =
        |i: usize, dim: &str| ws[0]["components"][i]["rightsizing"]["current"][dim].as_f64();
    let gib = 1024.0_f64.powi(3);
    assert_eq!(current(0, "memory_gib"), Some(512e6 / gib));
    assert_eq!(current(0, "storage_gib"), Some(4e9 / gib + 1.0));
    assert_eq!(current(1, "memory_gib"), Some(0.5));
}

#[test]
fn missing_imports_the_standard_types_are_fine_others_are_errors_with_their_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let top = write(
        dir.path(),
        "pkg/Definitions/top.yaml",
        "tosca_definitions_version: tosca_simple_yaml_1_3
imports:
  - etsi_nfv_sol001_common_types.yaml
  - https://forge.etsi.org/rep/nfv/SOL001/raw/v3.3.1/etsi_nfv_sol001_vnfd_types.yaml
  - https://example.com/vendor/extra_types.yaml
  - df.yaml
  - gone.yaml
topology_template:
  node_templates:
    VNF: { type: tosca.nodes.nfv.VNF, properties: { product_name: Partial } }
",
    );
    write(
        dir.path(),
        "pkg/Definitions/df.yaml",
        "tosca_definitions_version: tosca_simple_yaml_1_3
topology_template:
  substitution_mappings: { node_type: tosca.nodes.nfv.VNF, properties: { flavour_id: one } }
  node_templates:
    vm:
      type: tosca.nodes.nfv.Vdu.Compute
      capabilities:
        virtual_compute:
          properties: { virtual_cpu: { num_virtual_cpu: 2 }, virtual_memory: { virtual_mem_size: 2 GiB } }
",
    );
    let out = fitscan()
        .args(["scan", &top, "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a file error fails --fail-on error"
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let errors = r["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], 7);
    assert!(
        errors[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("top.yaml"))
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("gone.yaml") && m.contains("does not exist"))
    );
    let w = &workloads(&r)[0];
    assert_eq!(w["name"], "Partial/one");
    assert_eq!(w["rightsizing"]["current"]["vcpu"], 2.0);
    assert!(
        w["notes"].as_array().is_some_and(|ns| ns.iter().any(|n| n
            .as_str()
            .is_some_and(|n| n.contains("extra_types.yaml") && n.contains("network")))),
        "a remote import is noted, never fetched: {w}"
    );
}

#[test]
fn imports_outside_the_scanned_folder_are_read_and_size_capped() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "vendor/pkg/Definitions/top.yaml",
        "tosca_definitions_version: tosca_simple_yaml_1_3
imports: [ ../../common/types.yaml ]
topology_template:
  node_templates:
    VNF: { type: vendor.VNF }
    vm:
      type: tosca.nodes.nfv.Vdu.Compute
      properties: { vdu_profile: { min_number_of_instances: 1, max_number_of_instances: 1 } }
",
    );
    write(
        dir.path(),
        "vendor/common/types.yaml",
        &format!(
            "tosca_definitions_version: tosca_simple_yaml_1_3
description: {}
node_types:
  vendor.VNF:
    derived_from: tosca.nodes.nfv.VNF
    properties:
      product_name: {{ type: string, default: Shared Types VNF }}
      flavour_id: {{ type: string, default: basic }}
",
            "shared types ".repeat(100)
        ),
    );
    let pkg = dir.path().join("vendor/pkg").display().to_string();
    let r = json_of(&["scan", &pkg]);
    let ws = workloads(&r);
    assert_eq!(ws.len(), 1, "{r}");
    assert_eq!(ws[0]["name"], "Shared Types VNF/basic");
    assert!(r["errors"].as_array().is_some_and(Vec::is_empty), "{r}");

    let r = json_of(&["scan", &pkg, "--max-file-size", "1000"]);
    let errors = r["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("types.yaml"))
            && e["message"].as_str().is_some_and(|m| m.contains("limit"))),
        "{errors:?}"
    );
}

#[test]
fn a_types_only_file_named_alone_says_what_to_scan() {
    fitscan()
        .args([
            "scan",
            "rules/vnf/fixtures/appliance/Definitions/appliance_types.yaml",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("defines TOSCA types only"));
}

#[test]
fn import_cycles_and_duplicates_neither_hang_nor_double_count() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let vdu = "    vm:
      type: tosca.nodes.nfv.Vdu.Compute
      capabilities: { virtual_compute: { properties: { virtual_cpu: { num_virtual_cpu: 1 } } } }
";
    let a = write(
        dir.path(),
        "a.yaml",
        &format!(
            "tosca_definitions_version: tosca_simple_yaml_1_3\nimports: [ b.yaml ]\ntopology_template:\n  substitution_mappings: {{ node_type: x, properties: {{ flavour_id: a }} }}\n  node_templates:\n{vdu}"
        ),
    );
    write(
        dir.path(),
        "b.yaml",
        &format!(
            "tosca_definitions_version: tosca_simple_yaml_1_3\nimports: [ a.yaml ]\ntopology_template:\n  substitution_mappings: {{ node_type: x, properties: {{ flavour_id: b }} }}\n  node_templates:\n{vdu}"
        ),
    );
    // Named twice and found by walking: still each file once.
    let folder = dir.path().display().to_string();
    let r = json_of(&["scan", &a, &a, &folder]);
    let mut names: Vec<String> = workloads(&r)
        .iter()
        .filter_map(|w| w["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    assert_eq!(names, vec!["a/a", "a/b"], "{r}");
}

#[test]
fn sol006_json_with_module_prefixes_is_read() {
    let r = json_of(&["scan", "samples/vnf/vepc_vnfd.json"]);
    let w = &workloads(&r)[0];
    assert_eq!(w["name"], "vepc-gw/default-df");
    let components: Vec<(&str, f64)> = w["components"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| Some((c["name"].as_str()?, c["count"].as_f64()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(components, vec![("gw", 2.0), ("oam", 1.0)]);
    // 2 x (4 vCPU, 8 GiB, 20 GiB) + (2 vCPU, 4 GiB, 20 GiB root + 100 GiB CDR volume)
    assert_eq!(w["rightsizing"]["current"]["vcpu"], 10.0);
    assert_eq!(w["rightsizing"]["current"]["memory_gib"], 20.0);
    assert_eq!(w["rightsizing"]["current"]["storage_gib"], 160.0);
    assert!(
        !rules_of(w).contains(&"VNF002".to_string()),
        "the CDR volume is a data volume"
    );
}

#[test]
fn bad_fields_are_errors_with_lines_and_the_rest_is_still_assessed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = write(
        dir.path(),
        "bad_vnfd.yaml",
        "vnfd:
  id: bad
  virtual-compute-desc:
    - id: c
      virtual-cpu: { num-virtual-cpu: many }
      virtual-memory: { size: 4 }
  vdu:
    - id: v1
      virtual-compute-desc: c
    - id: v2
      virtual-compute-desc: nowhere
  df:
    - id: d
      vdu-profile:
        - { id: v1, min-number-of-instances: 3, max-number-of-instances: 2 }
",
    );
    let r = json_of(&["scan", &f]);
    let lines: Vec<u64> = r["errors"]
        .as_array()
        .map(|es| es.iter().filter_map(|e| e["line"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(lines, vec![5, 11, 15], "{r}");
    let w = &workloads(&r)[0];
    assert_eq!(
        w["components"][0]["rightsizing"]["current"]["memory_gib"],
        4.0
    );
}

#[test]
fn hostile_descriptors_never_panic() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        "vnfd: []\n",
        "vnfd: { vdu: 3, df: { id: x } }\n",
        "vnfd: { vdu: [ { id: [1, 2] } ], df: [ { vdu-profile: [ 7 ] } ] }\n",
        "tosca_definitions_version: x\nimports: 5\ntopology_template: [1]\n",
        "tosca_definitions_version: x\nimports: [ { a: { b: c } }, ../../../../../../etc/passwd, /etc/passwd ]\ntopology_template:\n  policies: { p: 3 }\n  node_templates: { v: { type: tosca.nodes.nfv.Vdu.Compute, properties: { vdu_profile: 9 }, requirements: 4 } }\n",
        "tosca_definitions_version: x\nnode_types:\n  a: { derived_from: b }\n  b: { derived_from: a }\ntopology_template:\n  node_templates: { v: { type: a } }\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        let f = write(dir.path(), &format!("h{i}.yaml"), text);
        let out = fitscan()
            .args(["scan", &f, "--format", "json", "--fail-on", "never"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "case {i}: {stderr}");
        let r: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("case {i}: {e}: {stderr}"));
        let internal = r["errors"].as_array().is_some_and(|es| {
            es.iter().any(|e| {
                e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("internal error"))
            })
        });
        assert!(!internal, "case {i}: {r}");
    }
}

#[test]
fn os_container_deployable_units_are_sized_from_their_containers() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = write(
        dir.path(),
        "cnf_df.yaml",
        "tosca_definitions_version: tosca_simple_yaml_1_3
topology_template:
  substitution_mappings: { node_type: example.CNF, properties: { flavour_id: k8s } }
  node_templates:
    amf:
      type: tosca.nodes.nfv.Vdu.OsContainerDeployableUnit
      properties:
        name: amf
        vdu_profile: { min_number_of_instances: 2, max_number_of_instances: 6 }
      requirements:
        - container: amf-main
        - container: amf-sidecar
    amf-main:
      type: tosca.nodes.nfv.Vdu.OsContainer
      properties:
        requested_cpu_resources: 1500
        requested_memory_resources: 3 GiB
        requested_ephemeral_storage_resources: 1 GiB
      artifacts:
        sw_image:
          type: tosca.artifacts.nfv.SwImage
          file: registry.example.com/amf:1.4
          properties:
            name: amf
            checksum: { algorithm: sha-256, hash: 0f343b0931126a20f133d67c2b018a3b5c1d1fb3b1a5b0f8f1d1b9a4bbbde5d0 }
    amf-sidecar:
      type: tosca.nodes.nfv.Vdu.OsContainer
      properties:
        requested_cpu_resources: 500
        requested_memory_resources: 1 GiB
",
    );
    let r = json_of(&["scan", &f]);
    let w = &workloads(&r)[0];
    let current = &w["components"][0]["rightsizing"]["current"];
    assert_eq!(current["vcpu"], 2.0);
    assert_eq!(current["memory_gib"], 4.0);
    assert_eq!(current["storage_gib"], 1.0);
    assert_eq!(w["components"][0]["count"], 2.0);
    let rules = rules_of(w);
    for not_for_containers in ["VNF001", "VNF002", "VNF005"] {
        assert!(
            !rules.contains(&not_for_containers.to_string()),
            "{rules:?}"
        );
    }
    assert!(
        !rules.contains(&"VNF004".to_string()),
        "the image has a checksum"
    );
    assert!(
        w["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("OS container")),
        "{w}"
    );
}

#[test]
fn a_types_file_no_descriptor_imports_is_a_skip_with_its_reason() {
    let dir = common::tempdir();
    let pkg = dir.path().join("cloud-smf");
    common::copy_folder(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/vnf/cloud-smf"),
        &pkg,
    );
    let orphan = write(
        &pkg,
        "Definitions/orphan_types.yaml",
        "tosca_definitions_version: tosca_simple_yaml_1_3\nnode_types:\n  example.Orphan:\n    derived_from: tosca.nodes.nfv.VNF\n",
    );
    let r = json_of(&["scan", &dir.path().display().to_string()]);
    assert!(!workloads(&r).is_empty(), "{r}");
    assert_eq!(r["errors"], serde_json::json!([]));
    // The package's own types file is imported by its descriptor: no skip.
    assert_eq!(r["summary"]["skipped_files"], 1, "{}", r["skipped"]);
    assert_eq!(r["skipped"][0]["file"], orphan.as_str());
    assert_eq!(
        r["skipped"][0]["reason"],
        "a VNF types/import file no descriptor in the scan imports (it defines TOSCA types only)"
    );
}
