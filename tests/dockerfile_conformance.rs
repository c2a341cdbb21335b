//! Dockerfile syntax as BuildKit accepts it: every case here builds with `docker build`, so
//! none of it may be an error: each is one workload, read without an error entry.
//!
//! Empty exec forms (`CMD []`, `ENTRYPOINT []`: 51 of 425 real public Dockerfiles, every
//! official tomcat image), every instruction's flags, parser directives, here-documents,
//! line continuations, the Windows escape character, ONBUILD, SHELL, STOPSIGNAL, ...

use fitscan::ingest::{IngestContext, ingest};
use fitscan::node::Node;
use fitscan::source::SourceFile;

/// Reads `text` as a Dockerfile: exactly one workload and no error.
fn read(name: &str, text: &str) -> fitscan::model::Workload {
    let out = ingest(
        &SourceFile::from_text("Dockerfile", text),
        &IngestContext::default(),
    );
    assert!(
        out.errors.is_empty(),
        "{name}: BuildKit accepts this, fitscan refused it: {:?}\n{text}",
        out.errors
    );
    assert!(out.skips.is_empty(), "{name}: skipped: {:?}", out.skips);
    assert_eq!(out.workloads.len(), 1, "{name}: one image\n{text}");
    out.workloads
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{name}: no workload"))
}

/// The instructions of the final image (`final.instructions`).
fn instructions(w: &fitscan::model::Workload) -> Vec<Node> {
    w.doc
        .at("final.instructions")
        .and_then(Node::as_seq)
        .map(<[Node]>::to_vec)
        .unwrap_or_default()
}

fn exec_of(w: &fitscan::model::Workload, keyword: &str) -> Option<Vec<String>> {
    instructions(w)
        .iter()
        .rfind(|i| i.get("instruction").and_then(Node::as_str) == Some(keyword))
        .and_then(|i| i.get("exec"))
        .and_then(Node::as_seq)
        .map(|words| {
            words
                .iter()
                .filter_map(|w| w.as_str().map(str::to_string))
                .collect()
        })
}

const CASES: &[(&str, &str)] = &[
    // Empty exec forms: they reset the command or entry point inherited from the base.
    (
        "ENTRYPOINT [] resets the entry point",
        "FROM tomcat:10\nENTRYPOINT []\nCMD [\"catalina.sh\", \"run\"]\n",
    ),
    ("CMD []", "FROM alpine:3.20\nCMD []\n"),
    ("CMD [ ] with a space", "FROM alpine:3.20\nCMD [ ]\n"),
    (
        "ENTRYPOINT [ ] with spaces",
        "FROM alpine:3.20\nENTRYPOINT [   ]\n",
    ),
    (
        "lowercase cmd []",
        "from alpine:3.20\ncmd []\nentrypoint []\n",
    ),
    ("RUN []", "FROM alpine:3.20\nRUN []\n"),
    (
        "RUN --network=none []",
        "FROM alpine:3.20\nRUN --network=none []\n",
    ),
    ("ONBUILD CMD []", "FROM alpine:3.20\nONBUILD CMD []\n"),
    (
        "ONBUILD ENTRYPOINT []",
        "FROM alpine:3.20\nONBUILD ENTRYPOINT []\n",
    ),
    (
        "CMD [] continued on the next line",
        "FROM alpine:3.20\nCMD [ \\\n  ]\n",
    ),
    // Flags of every instruction that takes them.
    (
        "FROM --platform",
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM --platform=linux/amd64 alpine:3.20\n",
    ),
    (
        "RUN --mount of every type",
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20\n\
RUN --mount=type=cache,target=/var/cache/apk,sharing=locked apk add curl\n\
RUN --mount=type=bind,source=go.sum,target=go.sum --mount=type=tmpfs,target=/tmp true\n\
RUN --mount=type=secret,id=token,env=TOKEN --mount=type=ssh,id=default true\n",
    ),
    (
        "RUN --network and --security",
        "FROM alpine:3.20\nRUN --network=host true\nRUN --network=default true\nRUN --security=sandbox true\n",
    ),
    (
        "COPY --chmod --chown --link --from --parents --exclude",
        "FROM alpine:3.20 AS base\nFROM alpine:3.20\n\
COPY --chmod=0755 --chown=1000:1000 --link app /app\n\
COPY --from=base --link /etc/os-release /base-os\n\
COPY --parents ./a/b /dst/\n\
COPY --exclude=*.md . /src\n",
    ),
    (
        "ADD --checksum --keep-git-dir --chmod --link",
        "FROM alpine:3.20\n\
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tar.gz /\n\
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit\n\
ADD --chmod=644 --link a.txt /a.txt\n",
    ),
    (
        "HEALTHCHECK with every option",
        "FROM alpine:3.20\n\
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s --retries=3 CMD wget -q -O- http://localhost/ || exit 1\n",
    ),
    (
        "HEALTHCHECK exec form and NONE",
        "FROM alpine:3.20 AS a\nHEALTHCHECK CMD [\"/bin/check\"]\nFROM alpine:3.20\nHEALTHCHECK NONE\n",
    ),
    // Parser directives.
    (
        "syntax, escape and check directives",
        "# syntax=docker/dockerfile:1.7\n# escape=\\\n# check=skip=JSONArgsRecommended;error=true\nFROM alpine:3.20\nCMD echo hi\n",
    ),
    (
        "directives in any case, with spaces",
        "#   SYNTAX = docker/dockerfile:1\n# Check=skip=all\nFROM alpine:3.20\n",
    ),
    (
        "Windows escape character",
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
SHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]\n\
RUN Write-Host one; `\n    Write-Host two\n\
COPY app C:\\app\\\n\
WORKDIR C:\\app\n\
CMD [\"C:\\\\app\\\\app.exe\"]\n",
    ),
    // Here-documents.
    (
        "RUN here-documents",
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20\n\
RUN <<EOF\napk add curl\nrm -rf /var/cache/apk/*\nEOF\n\
RUN <<-EOT bash\n\techo tab-stripped\n\tEOT\n\
RUN cat <<'EOF' > /etc/app.conf\nkey=$VALUE\nEOF\n\
RUN <<A <<B\necho a\nA\necho b\nB\n",
    ),
    (
        "quoted and escaped here-document delimiters",
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20\n\
RUN <<eo'f'\necho foo\neof\n\
RUN <<eo\\'f\necho foo\neo'f\n\
RUN <<'e'o\\'f\necho foo\neo'f\n\
RUN <<\"EOT\"\necho bar\nEOT\n\
COPY <<e'o'f /dest\nhello world\neof\n",
    ),
    (
        "COPY here-documents",
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20\n\
COPY <<EOF /start.sh\n#!/bin/sh\nexec app\nEOF\n\
COPY --chmod=755 <<-\"EOT\" /usr/local/bin/run\n\techo run\n\tEOT\n",
    ),
    // Line continuations, comments and blank lines inside them.
    (
        "continuations with comments and blank lines",
        "FROM alpine:3.20\nRUN apk add \\\n# a comment inside\n    curl \\\n\n    jq\nCMD [\"sh\", \\\n  \"-c\", \\\n  \"echo hi\"]\n",
    ),
    (
        "a continuation at the end of the file",
        "FROM alpine:3.20\nRUN echo hi \\\n",
    ),
    (
        "CRLF line ends",
        "FROM alpine:3.20\r\nRUN echo hi\r\nCMD [\"sh\"]\r\n",
    ),
    (
        "a byte order mark",
        "\u{feff}FROM alpine:3.20\nCMD [\"sh\"]\n",
    ),
    // Every other instruction in its forms.
    (
        "ONBUILD, SHELL, STOPSIGNAL, USER, VOLUME, EXPOSE, LABEL, MAINTAINER",
        "FROM alpine:3.20\n\
ONBUILD RUN echo child\nONBUILD COPY . /src\n\
SHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\n\
STOPSIGNAL SIGTERM\nSTOPSIGNAL 9\n\
USER 1000:1000\n\
VOLUME /data\nVOLUME [\"/a\", \"/b\"]\n\
EXPOSE 80 443/tcp 53/udp 8000-8010\n\
LABEL a=b \"c d\"=\"e f\" org.opencontainers.image.title=app\n\
MAINTAINER Someone <someone@example.com>\n",
    ),
    (
        "ENV and ARG in both forms",
        "ARG BASE=alpine:3.20\nFROM $BASE\nARG A\nARG B=1 C=2\nENV X=1 Y=\"two words\"\nENV LEGACY value with spaces\nWORKDIR ${HOME:-/root}\n",
    ),
    (
        "multi-stage with stage index and named stage",
        "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM build AS test\nRUN go test ./...\nFROM gcr.io/distroless/static\nCOPY --from=0 /app /app\nCOPY --from=build /app /app2\nENTRYPOINT [\"/app\"]\n",
    ),
    (
        "exec forms with escapes",
        "FROM alpine:3.20\nCMD [\"sh\", \"-c\", \"echo \\\"quoted\\\" \\u00e9\"]\nENTRYPOINT [\"/bin/tini\", \"--\"]\n",
    ),
    (
        "exec form that is not JSON runs as shell form",
        "FROM alpine:3.20\nCMD [not json]\nENTRYPOINT ['single', 'quotes']\n",
    ),
];

#[test]
fn every_case_buildkit_accepts_is_read_without_an_error() {
    for (name, text) in CASES {
        read(name, text);
    }
}

#[test]
fn an_empty_exec_form_resets_the_command() {
    let w = read(
        "tomcat",
        "FROM tomcat:10\nENTRYPOINT []\nCMD [\"catalina.sh\", \"run\"]\n",
    );
    assert_eq!(exec_of(&w, "ENTRYPOINT"), Some(Vec::new()));
    assert_eq!(
        exec_of(&w, "CMD"),
        Some(vec!["catalina.sh".to_string(), "run".to_string()])
    );
    let w = read("cmd", "FROM alpine:3.20\nCMD [ ]\n");
    assert_eq!(exec_of(&w, "CMD"), Some(Vec::new()));
    let cmd = instructions(&w)
        .into_iter()
        .rfind(|i| i.get("instruction").and_then(Node::as_str) == Some("CMD"))
        .unwrap_or_else(|| panic!("no CMD"));
    assert_eq!(cmd.get("form").and_then(Node::as_str), Some("exec"));
    assert_eq!(cmd.line, 2);
}

#[test]
fn what_buildkit_refuses_is_still_an_error() {
    for (name, text) in [
        ("SHELL []", "FROM alpine:3.20\nSHELL []\n"),
        ("no FROM", "RUN echo hi\n"),
    ] {
        let out = ingest(
            &SourceFile::from_text("Dockerfile", text),
            &IngestContext::default(),
        );
        assert_eq!(out.errors.len(), 1, "{name}: {:?}", out.errors);
    }
}
