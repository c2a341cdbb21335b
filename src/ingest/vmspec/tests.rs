use super::typos::typo_of;
use super::*;
use crate::ingest::ingest;

fn run(text: &str) -> FileOutput {
    ingest(
        &SourceFile::from_text("vm.yaml", text),
        &IngestContext::default(),
    )
}

const SEED: &str = "\
apiVersion: fitscan/v1
kind: VirtualMachine
metadata:
  name: cdr-collector-01
spec:
  platform: physical
  os: RHEL 7.9
  cpu: { sockets: 2, coresPerSocket: 4 }
  memory: 128GB
  disks:
    - { size: 300GB, count: 30 }
  utilisation:
    periodDays: 30
    samples: 8640
    cpu: { p95: 50% }
    memory: { p95: 32GB, peak: 32GB }
    storage: { used: 1TB }
";

#[test]
fn reads_the_seed_server() {
    let out = run(SEED);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let w = &out.workloads[0];
    assert_eq!(w.name, "cdr-collector-01");
    assert_eq!(w.generation, Generation::ClientServer);
    assert_eq!(
        w.current,
        Sizing {
            vcpu: Some(8.0),
            memory_gib: Some(128.0),
            storage_gib: Some(9000.0)
        }
    );
    let d = w.demand.clone().unwrap_or_default();
    assert_eq!(
        (d.vcpu, d.memory_gib, d.storage_gib),
        (Some(4.0), Some(32.0), Some(1024.0))
    );
    assert_eq!((d.samples, d.expected_samples), (Some(8640), Some(8640)));
    assert_eq!(w.facts.get("disk_count").and_then(Node::as_f64), Some(30.0));
    assert_eq!(w.facts.get("vcpu").map(|n| n.line), Some(8));
}

#[test]
fn mainframes_are_generation_one() {
    let out = run(
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: mf}\nspec: {os: z/OS 2.5}\n",
    );
    assert_eq!(out.workloads[0].generation, Generation::Mainframe);
    let out = run(
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: mf}\nspec: {platform: mainframe}\n",
    );
    assert_eq!(out.workloads[0].generation, Generation::Mainframe);
    let out = run(
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: as400}\nspec: {os: IBM i 7.4}\n",
    );
    assert_eq!(out.workloads[0].generation, Generation::Mainframe);
    // Each spelling the pattern knows (the words that let it be tried hold for every one).
    for os in [
        "zOS",
        "Z/VM 7.3",
        "z/VSE 6.2",
        "z/TPF",
        "OS/390",
        "OS/400 V5R4",
        "i5/OS",
        "MVS/ESA",
        "VSE/ESA",
        "TPF 4.1",
        "IBMi",
    ] {
        let out = run(&format!(
            "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {{name: mf}}\nspec: {{os: {os}}}\n"
        ));
        assert_eq!(out.workloads[0].generation, Generation::Mainframe, "{os}");
    }
}

#[test]
fn lists_and_multi_documents() {
    let list = "apiVersion: fitscan/v1\nkind: VirtualMachineList\nitems:\n  - metadata: {name: a}\n    spec: {cpu: {vcpus: 2}}\n  - metadata: {name: b}\n    spec: {cpu: 4}\n";
    let out = run(list);
    assert_eq!(
        out.workloads
            .iter()
            .map(|w| w.name.as_str())
            .collect::<Vec<_>>(),
        vec!["a", "b"]
    );
    assert_eq!(out.workloads[1].current.vcpu, Some(4.0));
    assert_eq!(out.workloads[1].line, 6);
    let multi = format!("{SEED}---\n{}", SEED.replace("cdr-collector-01", "second"));
    assert_eq!(run(&multi).workloads.len(), 2);
}

#[test]
fn bad_fields_are_errors_with_lines_and_the_vm_survives() {
    let bad = SEED
        .replace("memory: 128GB", "memory: lots")
        .replace("count: 30", "count: -2");
    let out = run(&bad);
    assert_eq!(out.workloads.len(), 1);
    assert_eq!(out.workloads[0].current.memory_gib, None);
    let lines: Vec<Option<u32>> = out.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![Some(9), Some(11)]);
    assert!(
        out.errors[0]
            .message
            .contains("VM `cdr-collector-01`: spec.memory"),
        "{}",
        out.errors[0].message
    );
}

#[test]
fn statistics_follow_the_percentile_preference() {
    let util = |cpu: &str| {
        let text = SEED.replace("cpu: { p95: 50% }", cpu);
        run(&text).workloads[0].demand.clone().unwrap_or_default()
    };
    assert_eq!(util("cpu: { p99: 75%, p50: 10% }").vcpu, Some(6.0));
    assert_eq!(util("cpu: { peakCores: 5 }").vcpu, Some(5.0));
    let avg = util("cpu: { avg: 25% }");
    assert_eq!((avg.vcpu, avg.weak), (Some(2.0), true));
    let series = util("cpu: { series: [10%, 20%, 50%, 100%] }");
    assert_eq!(series.vcpu, Some(8.0));
}

#[test]
fn ignores_become_suppressions() {
    let text = SEED.replace(
        "spec:\n",
        "spec:\n  ignore: [VM005, \"VM012: vendor appliance, TICKET-9\"]\n",
    );
    let w = &run(&text).workloads[0];
    assert_eq!(w.suppressions.len(), 2);
    assert_eq!(
        w.suppressions[1].reason.as_deref(),
        Some("vendor appliance, TICKET-9")
    );
}

#[test]
fn fields_a_typo_away_from_known_ones_are_reported_and_others_kept() {
    let text = SEED
        .replace("memory: 128GB", "memmory: 128GB")
        .replace(
            "  utilisation:",
            "  zone: eu-1\n  cost: 12\n  ap: { config: external }\n  utilisation:",
        )
        .replace("cpu: { p95: 50% }", "cpu: { p95: 50%, paek: 60% }");
    let out = run(&text);
    let typos: Vec<(String, String, u32)> = out.workloads[0]
        .typos
        .iter()
        .map(|t| (t.field.clone(), t.known.clone(), t.line))
        .collect();
    assert_eq!(
        typos,
        vec![
            ("spec.memmory".to_string(), "spec.memory".to_string(), 9),
            ("spec.ap".to_string(), "spec.app".to_string(), 14),
            (
                "spec.utilisation.cpu.paek".to_string(),
                "spec.utilisation.cpu.peak".to_string(),
                18
            ),
        ]
    );
    assert_eq!(typo_of("Memory", &["memory"]), Some("memory"));
    assert_eq!(typo_of("monitoring", &["monitoring"]), None);
    assert_eq!(
        typo_of("zone", &["role"]),
        None,
        "a short key keeps its first letter"
    );
    assert_eq!(
        typo_of("coresPerSokcet", &["coresPerSocket"]),
        Some("coresPerSocket")
    );
}

#[test]
fn unknown_kinds_and_missing_names_are_errors() {
    let out = run("apiVersion: fitscan/v1\nkind: Gadget\n");
    assert!(out.errors[0].message.contains("unknown kind `Gadget`"));
    let out = run("apiVersion: fitscan/v1\nkind: VirtualMachine\nspec: {}\n");
    assert!(out.errors[0].message.contains("no metadata.name"));
}

#[test]
fn reservations_are_facts_and_bad_ones_are_errors_at_their_line() {
    let out = run(
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: a }\nspec:\n  os: Ubuntu 22.04\n  reservations: { cpuMhz: 2400, memory: 16GB }\n",
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let f = |k: &str| out.workloads[0].facts.get(k).and_then(Node::as_f64);
    assert_eq!(f("cpu_reservation_mhz"), Some(2400.0));
    assert_eq!(f("memory_reservation_gib"), Some(16.0));
    let out = run(
        "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: { name: a }\nspec:\n  os: Ubuntu 22.04\n  reservations:\n    cpuMhz: lots\n    memroy: 1GB\n",
    );
    let messages: Vec<String> = out
        .errors
        .iter()
        .map(|e| format!("{:?}: {}", e.line, e.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Some(7)") && m.contains("not a CPU reservation in MHz")),
        "{messages:?}"
    );
    let typos = format!("{:?}", out.workloads[0].typos);
    assert!(
        typos.contains("memroy") && typos.contains("memory"),
        "{typos}"
    );
}
