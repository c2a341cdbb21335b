use super::*;

fn judge(day: &str) -> Judge {
    let as_of = Date::parse(day).unwrap_or_else(|e| panic!("{e}"));
    Judge::built_in(Some(as_of)).unwrap_or_else(|e| panic!("{e}"))
}

fn os(j: &Judge, name: &str) -> Option<(String, String, &'static str)> {
    j.os(name).map(|v| {
        (
            v.product.name.clone(),
            v.version.label.clone(),
            v.status.as_str(),
        )
    })
}

fn image(j: &Judge, repo: &str, tag: &str) -> Option<(String, String, &'static str)> {
    j.image(repo, Some(tag)).map(|v| {
        (
            v.product.name.clone(),
            v.version.label.clone(),
            v.status.as_str(),
        )
    })
}

fn t(p: &str, v: &str, s: &'static str) -> Option<(String, String, &'static str)> {
    Some((p.to_string(), v.to_string(), s))
}

#[test]
fn dates_parse_print_and_add_months() {
    let d = Date::parse("2024-02-29").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.to_string(), "2024-02-29");
    assert_eq!(d.add_months(12).to_string(), "2025-02-28");
    assert_eq!(d.add_months(6).to_string(), "2024-08-29");
    for bad in [
        "2023-02-29",
        "2024-13-01",
        "24-01-01",
        "2024-1-01",
        "today",
        "",
    ] {
        assert!(Date::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_built_in_table_reads() {
    let table = Table::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert!(table.products.len() >= 10, "{}", table.products.len());
    assert!(table.files.iter().any(|f| f.ends_with("os.yaml")));
}

#[test]
fn operating_systems_as_inventories_write_them() {
    let j = judge("2026-12-07");
    assert_eq!(
        os(&j, "Microsoft Windows Server 2012 R2 (64-bit)"),
        t("Windows Server", "2012 R2", "end-of-life")
    );
    assert_eq!(
        os(&j, "Windows Server 2012 Standard"),
        t("Windows Server", "2012", "end-of-life")
    );
    assert_eq!(
        os(&j, "win2012r2"),
        t("Windows Server", "2012 R2", "end-of-life")
    );
    assert_eq!(
        os(&j, "Windows Server 2016"),
        t("Windows Server", "2016", "ending-soon")
    );
    // A minimum is not a version.
    assert_eq!(
        os(&j, "Microsoft Windows Server 2016 or later (64-bit)"),
        None
    );
    assert_eq!(
        os(&j, "Red Hat Enterprise Linux 7 (64-bit)"),
        t("Red Hat Enterprise Linux", "7", "extended-support")
    );
    assert_eq!(
        os(&j, "RHEL 7.9"),
        t("Red Hat Enterprise Linux", "7", "extended-support")
    );
    assert_eq!(
        os(&j, "CentOS 4/5/6/7 (64-bit)"),
        t("CentOS Linux", "4 and earlier", "end-of-life")
    );
    assert_eq!(
        os(&j, "CentOS Stream 9"),
        t("CentOS Stream", "9", "ending-soon")
    );
    assert_eq!(
        os(&j, "Ubuntu 18.04.6 LTS"),
        t("Ubuntu", "18.04", "extended-support")
    );
    assert_eq!(
        os(&j, "Ubuntu 17.10"),
        t("Ubuntu", "releases before 20.04", "end-of-life")
    );
    assert_eq!(os(&j, "Ubuntu 22.04.4 LTS"), None);
    assert_eq!(
        os(&j, "Debian GNU/Linux 10 (64-bit)"),
        t("Debian", "10", "extended-support")
    );
    assert_eq!(os(&j, "z/OS 2.5"), t("z/OS", "2.5", "end-of-life"));
    assert_eq!(
        os(&j, "z/OS 1.13"),
        t("z/OS", "1.13 and earlier", "end-of-life")
    );
    assert_eq!(os(&j, "z/OS 3.1"), None);
    assert_eq!(
        os(&j, "HP-UX 11i v3"),
        t("HP-UX", "11i v3 and earlier", "end-of-life")
    );
    assert_eq!(
        os(&j, "SunOS 5.9"),
        t("SunOS", "5.9 (Solaris 9) and earlier", "end-of-life")
    );
    assert_eq!(os(&j, "AIX 7.2"), None);
}

#[test]
fn the_day_decides_the_status() {
    let ws = "Windows Server 2012 R2";
    assert_eq!(os(&judge("2023-04-09"), ws).map(|s| s.2), Some("supported"));
    assert_eq!(
        os(&judge("2023-04-10"), ws).map(|s| s.2),
        Some("ending-soon")
    );
    assert_eq!(
        os(&judge("2023-10-10"), ws).map(|s| s.2),
        Some("ending-soon")
    );
    assert_eq!(
        os(&judge("2023-10-11"), ws).map(|s| s.2),
        Some("extended-support")
    );
    assert_eq!(
        os(&judge("2026-10-13"), ws).map(|s| s.2),
        Some("extended-support")
    );
    assert_eq!(
        os(&judge("2026-10-14"), ws).map(|s| s.2),
        Some("end-of-life")
    );
    let j = judge("2024-01-01");
    let v = j.os(ws).unwrap_or_else(|| panic!("no verdict"));
    assert_eq!(
        summary(&v),
        "Windows Server 2012 R2: end of support 2023-10-10; only paid Extended Security Updates until 2026-10-13 (free on Azure)"
    );
    assert_eq!(v.days_left, -83);
    let j = judge("2024-07-01");
    let v = j.os("CentOS 7").unwrap_or_else(|| panic!("no verdict"));
    assert_eq!(summary(&v), "CentOS Linux 7: end of life since 2024-06-30");
}

#[test]
fn images_by_repository_and_tag() {
    let j = judge("2026-12-07");
    assert_eq!(
        image(&j, "centos", "7"),
        t("CentOS Linux", "7", "end-of-life")
    );
    assert_eq!(
        image(&j, "docker.io/library/centos", "centos7.9.2009"),
        t("CentOS Linux", "7", "end-of-life")
    );
    assert_eq!(
        image(&j, "quay.io/centos/centos", "stream8"),
        t("CentOS Stream", "8", "end-of-life")
    );
    assert_eq!(
        image(&j, "python", "2.7-slim"),
        t("Python", "2.7", "end-of-life")
    );
    assert_eq!(image(&j, "python", "2"), t("Python", "2.7", "end-of-life"));
    assert_eq!(image(&j, "python", "3"), None);
    assert_eq!(image(&j, "python", "3.13-slim"), None);
    assert_eq!(
        image(&j, "node", "14-alpine"),
        t("Node.js", "14", "end-of-life")
    );
    assert_eq!(
        image(&j, "node", "fermium"),
        t("Node.js", "14", "end-of-life")
    );
    assert_eq!(
        image(&j, "ubuntu", "bionic"),
        t("Ubuntu", "18.04", "extended-support")
    );
    assert_eq!(
        image(&j, "debian", "buster-slim"),
        t("Debian", "10", "extended-support")
    );
    assert_eq!(image(&j, "node", "latest"), None);
    assert_eq!(image(&j, "openjdk", "8"), None);
    assert_eq!(j.image("centos", None).map(|v| v.status), None);
}

#[test]
fn table_mistakes_name_the_file_and_line() {
    let e = table::parse(
        "mine.yaml",
        "products:\n  - product: X\n    source: s\n    checked: 2024-01-01\n    os: ['x(?P<version>\\d)']\n    versions:\n      - { version: '1', end_of_support: 2024-02-30 }\n",
        false,
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(e.starts_with("mine.yaml:7:"), "{e}");
    assert!(e.contains("2024-02-30"), "{e}");
    let e = table::parse(
        "mine.yaml",
        "products:\n  - product: X\n    source: s\n    checked: 2024-01-01\n    os: ['x\\d']\n    versions: []\n",
        false,
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(e.contains("no `(?P<version>...)` group"), "{e}");
    let e = table::parse("mine.yaml", "products:\n  - produkt: X\n", false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("unknown field `produkt`"), "{e}");
}

#[test]
fn a_users_table_replaces_a_built_in_product() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let folder = dir.path().join("lifecycle");
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        folder.join("mine.yaml"),
        "products:\n  - product: CentOS Linux\n    source: our support contract\n    checked: 2026-01-01\n    os: ['(?i)centos\\s*(?P<version>\\d+)']\n    extended_support: TuxCare ELS\n    versions:\n      - { version: '7', end_of_support: 2024-06-30, end_of_extended_support: 2030-06-30 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let table = Table::load(&[dir.path().to_path_buf()]).unwrap_or_else(|e| panic!("{e}"));
    let j = Judge::new(Arc::new(table), Date::parse("2026-12-07").ok());
    let v = j.os("CentOS 7").unwrap_or_else(|| panic!("no verdict"));
    assert_eq!(v.status, Status::ExtendedSupport);
    assert_eq!(v.product.source, "our support contract");
}

/// The embedded table's patterns are compiled on first use, where an error could no longer
/// name the file: each must compile, with its `version` group, here.
#[test]
fn every_embedded_pattern_compiles() {
    let table = Table::embedded().unwrap_or_else(|e| panic!("{e}"));
    for p in &table.products {
        for pattern in p.os.iter().chain([&p.tag]) {
            let compiled = crate::pattern::Pattern::compile(pattern.as_str())
                .unwrap_or_else(|e| panic!("{} ({}): `{}`: {e}", p.name, p.file, pattern.as_str()));
            let re = compiled.regex().unwrap_or_else(|| panic!("{}", p.name));
            assert!(
                re.capture_names().any(|n| n == Some("version")),
                "{}: `{}` has no version group",
                p.name,
                pattern.as_str()
            );
        }
    }
}

/// A scan reads the built-in table as the build parsed it: the documents its text parses into.
#[test]
fn the_parsed_table_is_its_text_parsed() {
    let files = super::table::embedded_for_tests();
    assert!(!files.is_empty());
    for ((file, text), nodes) in files {
        let parsed = crate::yaml::parse_documents(text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            nodes.and_then(crate::node_binary::decode),
            Some(parsed),
            "{file}"
        );
    }
}
