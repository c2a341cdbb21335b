//! Reading Dockerfiles into the document and facts rules see.

use super::*;

fn load(name: &str, text: &str) -> Workload {
    match read(&SourceFile::from_text(name, text)) {
        Ok(w) => w,
        Err(e) => panic!("{e}"),
    }
}

#[test]
#[ignore = "prints the document of DOCKERFILE (a path) for rule authors"]
fn dump() {
    let path = std::env::var("DOCKERFILE").unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let w = load(&path, &text);
    let out = serde_json::json!({"name": w.name, "line": w.line, "doc": w.doc.to_json(), "facts": w.facts.to_json(), "notes": w.notes});
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}

fn at<'a>(n: &'a Node, path: &str) -> &'a Node {
    match n.at(path) {
        Some(v) => v,
        None => panic!("no `{path}` in {}", n.to_json()),
    }
}

fn text_at(n: &Node, path: &str) -> String {
    at(n, path).scalar_text().unwrap_or_default()
}

fn instructions(w: &Workload) -> Vec<(String, String, u32)> {
    at(&w.doc, "final.instructions")
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|i| (text_at(i, "instruction"), text_at(i, "args"), i.line))
        .collect()
}

#[test]
fn names_detected_as_real_repositories_use_them() {
    for yes in [
        "Dockerfile",
        "dockerfile",
        "Containerfile",
        "Dockerfile.xe",
        "Dockerfile_19c",
        "Dockerfile.debug",
        "Dockerfile-alpine",
        "app.Dockerfile",
        "build.dockerfile",
        "Containerfile.ubi9",
    ] {
        assert!(is_dockerfile_name(yes), "{yes}");
    }
    for no in [
        "Dockerfile.dockerignore",
        "Dockerfile.template",
        "Dockerfile.j2",
        "Dockerfile.md",
        "dockerfile.rs",
        "dockerfile.go",
        "Dockerfile.test.ts",
        "containerfile.py",
        "Dockerfile.",
        "dockerfiles",
        "docker-compose.yml",
        "README.md",
    ] {
        assert!(!is_dockerfile_name(no), "{no}");
    }
}

#[test]
fn an_explicit_file_under_another_name_is_read_by_its_content() {
    let yes = SourceFile::from_text(
        "build/app.docker",
        "# comment\n\nARG V=1\nFROM alpine:${V}\n",
    );
    assert!(looks_like_dockerfile(&yes));
    let no = SourceFile::from_text("notes.txt", "From the start, this is prose.\n");
    assert!(!looks_like_dockerfile(&no));
    let yaml = SourceFile::from_text("x.conf", "from: here\n");
    assert!(!looks_like_dockerfile(&yaml));
}

#[test]
fn bom_crlf_lowercase_and_continuations_with_comments() {
    let text = "\u{feff}from ubuntu:22.04\r\nrun apt-get update && \\\r\n  # a comment in the middle\r\n\r\n  apt-get install -y curl \\\r\n  && echo done\r\nuser 1000\r\n";
    let w = load("Dockerfile", text);
    let list = instructions(&w);
    assert_eq!(list[0], ("FROM".into(), "ubuntu:22.04".into(), 1));
    assert_eq!(
        list[1],
        (
            "RUN".into(),
            "apt-get update && apt-get install -y curl && echo done".into(),
            2
        )
    );
    assert_eq!(list[2], ("USER".into(), "1000".into(), 7));
    assert_eq!(text_at(&w.facts, "user"), "1000");
    assert_eq!(at(&w.facts, "runs_as_root").as_bool(), Some(false));
}

#[test]
fn escape_directive_and_windows_images() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL [\"pwsh\", \"-Command\"]\nRUN Write-Host a; `\n    Write-Host b # a comment\nCOPY app C:\\app\\\nENTRYPOINT [\"C:\\\\app\\\\app.exe\"]\n";
    let w = load("win/Dockerfile", text);
    let list = instructions(&w);
    assert_eq!(
        list[2],
        ("RUN".into(), "Write-Host a; Write-Host b".into(), 4)
    );
    assert_eq!(list[3].1, "app C:\\app\\");
    assert_eq!(list[3].2, 6);
    assert_eq!(at(&w.facts, "windows").as_bool(), Some(true));
    assert_eq!(text_at(&w.facts, "base.class"), "minimal");
    assert_eq!(text_at(&w.facts, "user"), "ContainerUser");
    assert_eq!(at(&w.facts, "runs_as_root").as_bool(), Some(false));
}

#[test]
fn heredocs_are_part_of_the_arguments() {
    let text = "FROM debian:12-slim\nRUN <<EOF\napt-get update\napt-get install -y openssh-server\nEOF\nRUN cat <<'CONF' > /etc/app.conf\nkey=1\nCONF\nCOPY <<EOF /start.sh\nnohup worker &\nEOF\nUSER 10001\n";
    let w = load("Dockerfile", text);
    let list = instructions(&w);
    assert_eq!(
        list[1].1,
        "<<EOF\napt-get update\napt-get install -y openssh-server"
    );
    assert_eq!(list[1].2, 2);
    assert_eq!(list[2].1, "cat <<'CONF' > /etc/app.conf\nkey=1");
    assert_eq!(list[3].2, 9);
    assert!(list[3].1.contains("nohup worker &"));
    assert_eq!(list[4], ("USER".into(), "10001".into(), 12));
    let names: Vec<String> = at(&w.facts, "packages")
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|p| text_at(p, "name"))
        .collect();
    assert_eq!(names, vec!["openssh-server"]);
    let scripts = at(&w.doc, "final.scripts").as_seq().unwrap_or_default();
    let dests: Vec<String> = scripts.iter().map(|s| text_at(s, "dest")).collect();
    assert_eq!(dests, vec!["/etc/app.conf", "/start.sh"]);
}

#[test]
fn arg_before_from_and_stage_inheritance() {
    let text = "ARG BASE=eclipse-temurin\nARG TAG=21-jre\nFROM ${BASE}:${TAG} AS runtime\nUSER 1000\nENV APP_HOME=/opt/app\nCMD [\"java\", \"-jar\", \"app.jar\"]\n\nFROM maven:3.9 AS build\nRUN mvn package\n\nFROM runtime\nENTRYPOINT [\"/opt/app/run\"]\n";
    let w = load("svc/Dockerfile", text);
    assert_eq!(at(&w.doc, "stages").as_seq().map(<[Node]>::len), Some(3));
    assert_eq!(
        at(&w.doc, "build_stages").as_seq().map(<[Node]>::len),
        Some(2)
    );
    assert_eq!(text_at(&w.doc, "final.from.stage"), "runtime");
    assert_eq!(
        text_at(&w.doc, "final.base.image"),
        "eclipse-temurin:21-jre"
    );
    assert_eq!(text_at(&w.facts, "base.image"), "eclipse-temurin:21-jre");
    assert_eq!(at(&w.facts, "base.sdk").as_bool(), Some(false));
    // inherited from the runtime stage; its CMD is reset by the new ENTRYPOINT
    assert_eq!(text_at(&w.doc, "final.user.name"), "1000");
    assert_eq!(at(&w.doc, "final.user").line, 4);
    assert_eq!(text_at(&w.doc, "final.env.APP_HOME"), "/opt/app");
    assert!(w.doc.at("final.cmd").is_none());
    assert_eq!(
        at(&w.doc, "final.startup").as_seq().map(<[Node]>::len),
        Some(1)
    );
    let list = instructions(&w);
    assert_eq!(list.first().map(|i| i.2), Some(3));
    assert_eq!(w.line, 11);
    assert_eq!(w.name, "svc");
}

#[test]
fn users_as_docker_reads_them() {
    for (user, root, numeric) in [
        ("root", Some(true), Some(false)),
        ("\"root\"", Some(true), Some(false)),
        ("+0", Some(true), Some(true)),
        ("00:00", Some(true), Some(true)),
        ("app", Some(false), Some(false)),
        ("10001:10001", Some(false), Some(true)),
        ("${APP_USER}", None, None),
    ] {
        let w = load("Dockerfile", &format!("FROM alpine:3.20\nUSER {user}\n"));
        assert_eq!(
            w.facts.get("runs_as_root").and_then(Node::as_bool),
            root,
            "{user}"
        );
        assert_eq!(
            w.facts.get("user_numeric").and_then(Node::as_bool),
            numeric,
            "{user}"
        );
    }
    let w = load("Dockerfile", "FROM gcr.io/distroless/static:nonroot\n");
    assert_eq!(text_at(&w.facts, "user"), "65532");
    assert_eq!(text_at(&w.facts, "user_source"), "base image default");
}

#[test]
fn workloads_are_named_by_label_directory_or_file() {
    assert_eq!(
        workload_name("src/frontend/Dockerfile", &[]),
        "src/frontend"
    );
    assert_eq!(workload_name("./Dockerfile", &[]), "Dockerfile");
    assert_eq!(workload_name("Dockerfile.xe", &[]), "Dockerfile.xe");
    assert_eq!(
        workload_name("db/18.4.0/Dockerfile.xe", &[]),
        "db/18.4.0/Dockerfile.xe"
    );
    let labels = vec![(
        "org.opencontainers.image.title".to_string(),
        "billing-api".to_string(),
        3,
    )];
    assert_eq!(workload_name("src/x/Dockerfile", &labels), "billing-api");
    let w = load(
        "a/Dockerfile",
        "FROM alpine:3.20\nLABEL name=\"ubi9/httpd-24\"\n",
    );
    assert_eq!(w.name, "ubi9/httpd-24");
}

#[test]
fn ignore_comments_apply_to_the_instruction_below_or_around_them() {
    let text = "# fitscan ignore=DF013: vendor image, OPS-12\n# another comment\nFROM ubuntu:22.04\nRUN apt-get update && \\\n    # fitscan ignore=DF020,DF002\n    apt-get install -y openssh-server\n\n# fitscan ignore=DF001\n\nUSER 1000\n# fitscan ignore=\n";
    let w = load("Dockerfile", text);
    let got: Vec<(String, Option<String>, u32, Option<u32>)> = w
        .suppressions
        .iter()
        .map(|s| (s.rule.clone(), s.reason.clone(), s.line, s.applies_to_line))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "DF013".into(),
                Some("vendor image, OPS-12".into()),
                1,
                Some(3)
            ),
            ("DF020".into(), None, 5, Some(4)),
            ("DF002".into(), None, 5, Some(4)),
        ]
    );
    assert_eq!(w.notes.len(), 2, "{:?}", w.notes);
    assert!(w.notes.iter().any(|n| n.starts_with("line 8:")));
    assert!(w.notes.iter().any(|n| n.starts_with("line 11:")));
}

#[test]
fn bad_files_are_errors_with_their_line() {
    let err = |text: &str| match read(&SourceFile::from_text("Dockerfile", text)) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => (e.line, e.message),
    };
    assert_eq!(err("").0, Some(1));
    assert_eq!(err("  \n\n").0, Some(1));
    let (line, message) = err("# only a comment\n");
    assert_eq!(line, Some(1));
    assert!(message.contains("FROM"), "{message}");
    let (line, message) = err("FROM alpine\nRUN echo\nBOGUS thing\n");
    assert_eq!(line, Some(3));
    assert!(message.contains("unknown instruction"), "{message}");
    let (line, message) = err("FROM alpine\nRUN cat <<EOF > /x\nnever closed\n");
    assert_eq!(line, Some(2));
    assert!(message.contains("`EOF`"), "{message}");
    let (line, _) = err("RUN echo before any FROM\n");
    assert_eq!(line, Some(1));
}

#[test]
fn thousands_of_continuation_lines_do_not_overflow_the_stack() {
    let mut text = String::from("FROM alpine:3.20\nRUN echo start");
    for i in 0..20_000 {
        text.push_str(&format!(" \\\n  && echo {i}"));
    }
    text.push('\n');
    let w = load("Dockerfile", &text);
    assert!(instructions(&w)[1].1.ends_with("echo 19999"));
}

#[test]
fn large_generated_files_stay_linear() {
    // Thousands of stages, ENV, LABEL, package installs and removals, here-documents and
    // ignore comments: every lookup here is indexed, so this reads in well under a second.
    let mut text = String::from("FROM alpine:3.20 AS s0\n");
    for i in 1..3000usize {
        text.push_str(&format!(
            "# fitscan ignore=DF020\nFROM s{} AS s{i}\nENV V{i}=${{V{}}}x\nLABEL l{i}=v\nRUN apk add gcc{i} && apk del gcc{}\nRUN cat <<EOF > /etc/f{i}.conf\nk={i}\nEOF\n",
            i - 1,
            i - 1,
            i.saturating_sub(1)
        ));
    }
    text.push_str("USER 1000\n");
    let w = load("Dockerfile", &text);
    assert_eq!(at(&w.facts, "stage_count").as_f64(), Some(3000.0));
    assert_eq!(text_at(&w.facts, "user"), "1000");
    assert_eq!(w.suppressions.len(), 2999);
    assert!(
        w.notes.iter().any(|n| n.contains("3000 stages")),
        "{:?}",
        w.notes
    );
    let packages = at(&w.facts, "packages").as_seq().map(<[Node]>::len);
    assert_eq!(
        packages,
        Some(1),
        "every gccN but the last was removed again"
    );
}
