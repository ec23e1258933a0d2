//! Hostile and broken input: every case gets a defined result or a one-line
//! error naming the input (exit 2); nothing panics; nothing is written.
//! ROBUSTNESS.md lists these cases with their outcomes.

use std::path::Path;

const HOSTILE_ZONE: &str = "fixtures/hostile/records.zone";

/// Run mailcheck with the given working directory, and check it wrote nothing there.
fn run_in(dir: &Path, args: &[&str]) -> crate::support::Out {
    let before: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mailcheck"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run mailcheck");
    let after: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(before.len(), after.len(), "{args:?} wrote a file");
    let out = crate::support::Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
    assert!(out.stderr.lines().count() <= 1, "{args:?}: {}", out.stderr);
    out
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn spf_only_headers() -> Vec<u8> {
    b"Return-Path: <bounce@spf-only.verify.example>\r\nFrom: a@spf-only.verify.example\r\nTo: b@example.net\r\nSubject: hostile\r\n".to_vec()
}

#[test]
fn hostile_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let zone = root().join("fixtures/verify/spf-only.zone");
    let zone = zone.to_str().expect("utf-8");
    let mut cases: Vec<(&str, Vec<u8>, i32, &str)> = Vec::new();
    cases.push((
        "no-headers.eml",
        b"just some text\r\nand more\r\n".to_vec(),
        2,
        "no-headers.eml:1: header line without a colon",
    ));
    let mut big = spf_only_headers();
    big.extend(b"X-Big: ");
    big.extend(std::iter::repeat_n(b'a', 1024 * 1024));
    big.extend(b"\r\n\r\nbody\r\n");
    cases.push(("big-header.eml", big, 0, ""));
    let mut many = spf_only_headers();
    for i in 0..10_000 {
        many.extend(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend(b"\r\nbody\r\n");
    cases.push(("10000-headers.eml", many, 0, ""));
    let mut eight = spf_only_headers();
    eight.extend(b"X-Latin1: caf\xe9 cr\xe8me\r\n\r\nbody \xff\r\n");
    cases.push(("8bit.eml", eight, 0, ""));
    let mut deep = spf_only_headers();
    deep.extend(b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
    for i in 1..=1000 {
        deep.extend(
            format!(
                "--b{}\r\nContent-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n",
                i - 1
            )
            .as_bytes(),
        );
    }
    deep.extend(b"--b1000\r\nContent-Type: text/plain\r\n\r\nhello\r\n");
    for i in (0..=1000).rev() {
        deep.extend(format!("--b{i}--\r\n").as_bytes());
    }
    cases.push(("nested-1000.eml", deep, 0, ""));
    let mut dup = spf_only_headers();
    dup.extend(b"DKIM-Signature: v=1; a=rsa-sha256; a=ed25519-sha256; d=spf-only.verify.example; s=s1; s=s2; h=from; bh=AAAA; b=AAAA\r\n");
    dup.extend(b"DKIM-Signature: v=1; a=rsa-sha256; d=spf-only.verify.example; s=s1; h=from; l=99999999999999999999; x=99999999999999999999; t=1; bh=AAAA; b=AAAA\r\n\r\nbody\r\n");
    cases.push(("dkim-absurd.eml", dup, 0, ""));
    let crlf = std::fs::read(root().join("fixtures/verify/rsa-pass.eml")).expect("fixture");
    let mut bare_cr = Vec::new();
    let mut i = 0;
    while i < crlf.len() {
        if crlf[i] == b'\r' && crlf.get(i + 1) == Some(&b'\n') {
            bare_cr.push(b'\r');
            i += 2;
        } else {
            bare_cr.push(crlf[i]);
            i += 1;
        }
    }
    cases.push(("bare-cr.eml", bare_cr, 2, ""));
    let mut huge = spf_only_headers();
    huge.extend(b"\r\n");
    huge.resize(64 * 1024 * 1024 + 10, b'x');
    cases.push((
        "over-64mib.eml",
        huge,
        2,
        "over-64mib.eml: larger than 64 MiB",
    ));

    for (name, bytes, code, words) in cases {
        let path = d.join(name);
        std::fs::write(&path, bytes).expect("write");
        let extra_zone = root().join("fixtures/verify/rsa-pass.zone");
        let out = run_in(
            d,
            &[
                "verify",
                name,
                "--ip",
                "203.0.113.5",
                "--json",
                "--zone",
                zone,
                "--zone",
                extra_zone.to_str().expect("utf-8"),
            ],
        );
        std::fs::remove_file(&path).expect("remove");
        if name == "bare-cr.eml" {
            // Bare CR line endings are read as CRLF: the signature verifies.
            assert_eq!(out.code, 0, "{name}: {}", out.stderr);
            assert_eq!(out.json()["dkim"][0]["result"], "pass");
            continue;
        }
        assert_eq!(
            out.code == 2,
            code == 2,
            "{name}: exit {} {}",
            out.code,
            out.stderr
        );
        if code == 2 {
            assert!(out.stderr.contains(words), "{name}: {}", out.stderr);
        } else {
            let v = out.json();
            assert_eq!(v["spf"]["result"], "pass", "{name}");
            if name == "dkim-absurd.eml" {
                let dkim = v["dkim"].as_array().expect("dkim");
                assert_eq!(dkim.len(), 2, "{}", out.stdout);
                assert!(dkim.iter().all(|s| s["result"] != "pass"), "{}", out.stdout);
            }
        }
    }
}

#[test]
fn hostile_zone_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let head = "$ORIGIN z.example.\n$TTL 300\n@ IN SOA ns hostmaster 1 2 3 4 5\n";
    let long_name = format!("{}.z.example.", vec!["a".repeat(60); 5].join("."));
    let cases: Vec<(&str, String, usize)> = vec![
        (
            "quote.zone",
            format!("{head}@ IN TXT \"never closed\n@ IN A 192.0.2.1\n"),
            4,
        ),
        ("paren.zone", format!("{head}@ IN TXT ( \"a\"\n \"b\"\n"), 4),
        (
            "include-missing.zone",
            format!("{head}$INCLUDE nowhere.zone\n"),
            4,
        ),
        (
            "include-self.zone",
            format!("{head}$INCLUDE include-self.zone\n"),
            4,
        ),
        (
            "long-string.zone",
            format!("{head}@ IN TXT \"{}\"\n", "x".repeat(256)),
            4,
        ),
        (
            "long-name.zone",
            format!("{head}{long_name} IN A 192.0.2.1\n"),
            4,
        ),
    ];
    for (name, text, line) in cases {
        std::fs::write(d.join(name), text).expect("write");
        let out = run_in(d, &["domain", "z.example", "--zone", name]);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(
            out.stderr.starts_with(&format!("mailcheck: {name}:")),
            "{name}: {}",
            out.stderr
        );
        if name != "include-missing.zone" && name != "include-self.zone" {
            assert!(
                out.stderr
                    .starts_with(&format!("mailcheck: {name}:{line}: ")),
                "{name}: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn hostile_records() {
    let z = ["--zone", HOSTILE_ZONE, "--json"];
    let check = |domain: &str, name: &str, status: &str, words: &str| {
        let mut args = vec!["domain", domain];
        args.extend(z);
        let out = run_in(root(), &args);
        assert_eq!(out.code, 1, "{domain}");
        let v = out.json();
        let hit = v["checks"].as_array().expect("checks").iter().any(|c| {
            c["name"] == name
                && c["status"] == status
                && c["message"].as_str().unwrap_or("").contains(words)
        });
        assert!(hit, "{domain}: {name} {status} {words:?}\n{}", out.stdout);
    };
    check(
        "chain.hostile.example",
        "spf.lookups",
        "fail",
        "DNS-querying terms",
    );
    check(
        "loop.hostile.example",
        "spf.loop",
        "fail",
        "leads back to itself",
    );
    check(
        "mx30.hostile.example",
        "spf.mx",
        "fail",
        "names 30 MX hosts",
    );
    check(
        "dmarc-dup.hostile.example",
        "dmarc.syntax",
        "fail",
        "duplicate tag p=",
    );
    check(
        "dmarc-dup.hostile.example",
        "dmarc.syntax",
        "fail",
        "unknown tag foo=",
    );

    let out = run_in(
        root(),
        &[
            "dkim",
            "bigkey.hostile.example",
            "--selector",
            "big",
            "--zone",
            HOSTILE_ZONE,
            "--json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("RSA key of 16384 bits"),
        "{}",
        out.stdout
    );
}

#[test]
fn hostile_command_lines() {
    for (args, words) in [
        (
            &["domain", "example.com", "--ip", "1.2.3"][..],
            "invalid value '1.2.3'",
        ),
        (&["verify", "x.eml", "--ip", "::g"], "invalid value '::g'"),
        (
            &["domain", "has space.example"],
            "is not a valid domain name",
        ),
        (&["domain", "a..b.example"], "is not a valid domain name"),
        (
            &["spf", "example.com", "--ip", "256.0.0.1"],
            "invalid value '256.0.0.1'",
        ),
    ] {
        let out = run_in(root(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(words), "{args:?}: {}", out.stderr);
    }
    // Underscores are legal in DNS names (not in host names): a defined result.
    let out = run_in(
        root(),
        &["domain", "_under.example", "--zone", HOSTILE_ZONE, "--json"],
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.json()["domain"], "_under.example");
}
