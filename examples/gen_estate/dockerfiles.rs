//! Dockerfiles in the shapes fitscan meets in real repositories: re-wrapped servers
//! (supervisord, sshd, cron), multi-stage builds on distroless, Windows images with the
//! backtick escape, heredocs, ARG-based FROM with long continuation chains, BOM and CRLF.

use std::fmt::Write as _;
use std::path::Path;

use crate::rng::Rng;

const BASES: &[&str] = &[
    "ubuntu:22.04",
    "debian:12-slim",
    "centos:7",
    "alpine:3.20",
    "python:3.12",
    "node:20-alpine",
    "eclipse-temurin:21-jre",
    "registry.access.redhat.com/ubi9/ubi-minimal:9.4",
];

const PACKAGES: &[&str] = &[
    "curl",
    "ca-certificates",
    "openssh-server",
    "supervisor",
    "cron",
    "gcc",
    "make",
    "git",
    "nginx",
    "libpq-dev",
    "tzdata",
    "sudo",
];

fn legacy(rng: &mut Rng, i: usize) -> String {
    let mut s = String::new();
    let base = rng.pick(BASES);
    let _ = writeln!(
        s,
        "# service {i}: moved from its VM\nFROM {base}\nMAINTAINER ops@example.com"
    );
    let _ = writeln!(
        s,
        "ENV APP_HOME=/opt/app{i} \\\n    DB_PASSWORD=secret{i} \\\n    JAVA_OPTS=\"-Xmx{}g\"",
        1 + i % 8
    );
    let _ = write!(
        s,
        "RUN apt-get update && apt-get -y upgrade && \\\n    apt-get install -y"
    );
    for _ in 0..(3 + rng.next() % 6) {
        let _ = write!(s, " {}", rng.pick(PACKAGES));
    }
    s.push_str(" && \\\n    # keep the lists for later\n    mkdir -p /var/run/sshd\n");
    let _ = writeln!(
        s,
        "COPY app{i}.conf /etc/app/app.conf\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf"
    );
    s.push_str("RUN sed -i 's/PermitRootLogin no/PermitRootLogin yes/' /etc/ssh/sshd_config\n");
    s.push_str("ADD https://repo.example.com/app.tar.gz /opt/\nVOLUME /var/lib/app\n");
    let _ = writeln!(s, "EXPOSE 22 80 443 {}", 8000 + i % 100);
    s.push_str("CMD /usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf\n");
    s
}

fn multi_stage(rng: &mut Rng, i: usize) -> String {
    let mut s = String::from("# syntax=docker/dockerfile:1\nARG GO_VERSION=1.22\n");
    s.push_str(
        "FROM golang:${GO_VERSION}-bookworm AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\n",
    );
    s.push_str("RUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\n");
    let _ = writeln!(
        s,
        "RUN CGO_ENABLED=0 go build -trimpath -o /out/svc{i} ./cmd/svc{i}"
    );
    let runtime = rng.pick(&[
        "gcr.io/distroless/static-debian12:nonroot",
        "scratch",
        "cgr.dev/chainguard/static:latest",
    ]);
    let _ = writeln!(s, "\nFROM {runtime}");
    let _ = writeln!(
        s,
        "LABEL org.opencontainers.image.title=\"svc-{i}\"\nCOPY --from=build /out/svc{i} /svc"
    );
    s.push_str("USER 65532:65532\nEXPOSE 8080\nHEALTHCHECK CMD [\"/svc\", \"health\"]\nENTRYPOINT [\"/svc\"]\n");
    s
}

fn heredoc(rng: &mut Rng, i: usize) -> String {
    let mut s = String::from("FROM debian:12-slim\nRUN <<EOF\nset -eux\napt-get update\n");
    let _ = writeln!(
        s,
        "apt-get install -y --no-install-recommends {} {}\nrm -rf /var/lib/apt/lists/*\nEOF",
        rng.pick(PACKAGES),
        rng.pick(PACKAGES)
    );
    let _ = writeln!(
        s,
        "RUN cat <<'CONF' > /etc/app{i}.conf\nlisten = 0.0.0.0:8080\nworkers = {}\nCONF",
        1 + i % 4
    );
    s.push_str("COPY <<EOF /usr/local/bin/start.sh\n#!/bin/sh\nworker &\nexec app\nEOF\n");
    s.push_str("USER 1000\nENTRYPOINT [\"/usr/local/bin/start.sh\"]\n");
    s
}

fn windows(i: usize) -> String {
    format!(
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022\n\
         SHELL [\"powershell\", \"-Command\"]\n\
         RUN Install-WindowsFeature Web-Asp-Net45 ; `\n    Remove-Item C:\\inetpub\\wwwroot\\* -Recurse\n\
         COPY site{i}/ C:/inetpub/wwwroot\nEXPOSE 80\n\
         ENTRYPOINT [\"C:\\\\ServiceMonitor.exe\", \"w3svc\"]\n"
    )
}

fn arg_from(rng: &mut Rng, i: usize) -> String {
    let mut s = format!(
        "ARG BASE={}\nARG TAG=latest\nFROM ${{BASE}}:${{TAG}} AS base\n",
        rng.pick(&["python", "node", "ruby"])
    );
    s.push_str("RUN set -eux; \\\n");
    for k in 0..(20 + rng.next() % 40) {
        let _ = writeln!(s, "    echo step {k} >> /tmp/log; \\");
    }
    s.push_str("    true\n");
    let _ = writeln!(
        s,
        "FROM base\nENV PIP_NO_CACHE_DIR=1\nCOPY app{i}/ /app/\nUSER app\nCMD python /app/main.py"
    );
    s
}

/// Writes `count` Dockerfiles under `dir`, one folder each; returns the bytes written.
pub fn write(dir: &Path, count: usize) -> std::io::Result<usize> {
    let mut rng = Rng::new(42);
    let mut bytes = 0usize;
    for i in 0..count {
        let mut text = match i % 5 {
            0 => legacy(&mut rng, i),
            1 => multi_stage(&mut rng, i),
            2 => heredoc(&mut rng, i),
            3 => windows(i),
            _ => arg_from(&mut rng, i),
        };
        if i % 7 == 0 {
            text = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        }
        let name = match i % 3 {
            0 => "Dockerfile",
            1 => "Containerfile",
            _ => "Dockerfile.prod",
        };
        let folder = dir.join(format!("svc{i:05}"));
        std::fs::create_dir_all(&folder)?;
        bytes += text.len();
        std::fs::write(folder.join(name), text)?;
    }
    Ok(bytes)
}
