//! MX: who receives the domain's mail, whether each exchange resolves, and
//! forward-confirmed reverse DNS (`ptr.*`) for every address found.
//!
//! Chain of dependent lookups: MX -> A/AAAA -> PTR -> A/AAAA; each step's
//! lookups run concurrently.

use super::dns_error;
use crate::{
    dns::{Dns, Lookup, Rcode},
    names::{display_name, reverse_name},
    report::{Finding, Status},
};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::{RData, RecordType};
use std::net::IpAddr;

/// One MX record as published.
struct Exchange {
    preference: u16,
    host: String,
}

/// Check MX (and PTR for each MX address, and for `ip` when given).
pub async fn check(dns: &Dns, domain: &str, ip: Option<IpAddr>) -> Vec<Finding> {
    let (mut findings, outbound) = tokio::join!(check_mx(dns, domain), async {
        match ip {
            Some(ip) => fcrdns(dns, ip, "ptr.ip", "the sending IP").await,
            None => Vec::new(),
        }
    });
    findings.extend(outbound);
    findings
}

async fn check_mx(dns: &Dns, domain: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let answer = match dns.query_str(domain, RecordType::MX).await {
        Ok(a) => a,
        Err(e) => {
            return vec![dns_error(
                "mx.records",
                &format!("the MX records of {domain}"),
                &e,
            )];
        }
    };
    if answer.rcode == Rcode::NxDomain {
        return vec![
            Finding::new(
                "mx.records",
                Status::Fail,
                format!("{domain} does not exist (NXDOMAIN): it can neither send nor receive mail"),
            )
            .fix("check the spelling, or create the domain's records at its DNS host"),
        ];
    }
    let mut exchanges: Vec<Exchange> = answer
        .data(RecordType::MX)
        .filter_map(|d| match d {
            RData::MX(mx) => Some(Exchange {
                preference: mx.preference,
                host: display_name(&mx.exchange),
            }),
            _ => None,
        })
        .collect();
    exchanges.sort_by(|a, b| a.preference.cmp(&b.preference).then(a.host.cmp(&b.host)));
    // Under the name that holds them, after any CNAMEs that lead there.
    let owner = answer
        .owner(RecordType::MX)
        .unwrap_or_else(|| domain.to_string());
    let mut shown = answer.cname_lines();
    shown.extend(
        exchanges
            .iter()
            .map(|e| {
                format!(
                    "{owner}. MX {} {}.",
                    e.preference,
                    e.host.trim_end_matches('.')
                )
            })
            .map(|s| s.replace(" ..", " .")),
    );

    if exchanges.is_empty() {
        return implicit_mx(dns, domain).await;
    }

    let null: Vec<&Exchange> = exchanges.iter().filter(|e| e.host == ".").collect();
    if !null.is_empty() {
        if exchanges.len() == 1 && null[0].preference == 0 {
            let mut f = Finding::new(
                "mx.null",
                Status::Info,
                format!("{domain} publishes a null MX: it accepts no mail (RFC 7505)"),
            );
            f.records = shown;
            return vec![f];
        }
        let mut f = Finding::new(
            "mx.null",
            Status::Fail,
            "a null MX (\"MX 0 .\") is published beside other MX records; senders may treat the domain as accepting no mail",
        );
        f.records = shown.clone();
        findings.push(f);
    }

    let mut records = Finding::new(
        "mx.records",
        Status::Pass,
        format!(
            "{} MX record{}: {}",
            exchanges.len(),
            if exchanges.len() == 1 { "" } else { "s" },
            exchanges
                .iter()
                .map(|e| format!("{} (preference {})", e.host, e.preference))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    records.records = shown;
    findings.push(records);

    let hosts: Vec<&Exchange> = exchanges.iter().filter(|e| e.host != ".").collect();
    let per_host = join_all(hosts.iter().map(|e| check_exchange(dns, &e.host))).await;
    for (host_findings, addresses) in per_host {
        findings.extend(host_findings);
        let ptrs = join_all(
            addresses
                .iter()
                .map(|ip| fcrdns(dns, *ip, "ptr.mx", "MX address")),
        )
        .await;
        findings.extend(ptrs.into_iter().flatten());
    }
    findings
}

/// No MX at all: senders fall back to the domain's own address (RFC 5321 5.1).
async fn implicit_mx(dns: &Dns, domain: &str) -> Vec<Finding> {
    let (a, aaaa) = tokio::join!(
        dns.query_str(domain, RecordType::A),
        dns.query_str(domain, RecordType::AAAA)
    );
    let mut addrs = Vec::new();
    for lookup in [&a, &aaaa] {
        match lookup {
            Ok(ans) => addrs.extend(ans.addresses()),
            Err(e) => {
                return vec![dns_error(
                    "mx.records",
                    &format!("the address of {domain}"),
                    e,
                )];
            }
        }
    }
    if addrs.is_empty() {
        vec![
            Finding::new(
                "mx.records",
                Status::Fail,
                format!("{domain} has no MX record and no A/AAAA record: it cannot receive mail"),
            )
            .fix(format!(
                "publish MX records for {domain}, or a null MX (\"{domain}. MX 0 .\") if it should receive no mail"
            )),
        ]
    } else {
        vec![
            Finding::new(
                "mx.records",
                Status::Warn,
                format!(
                    "{domain} has no MX record: senders fall back to its A/AAAA address ({}) as an implicit MX (RFC 5321 5.1)",
                    join_ips(&addrs)
                ),
            )
            .fix(format!(
                "publish MX records naming the hosts that receive mail for {domain}, or a null MX (\"{domain}. MX 0 .\") if it receives none"
            )),
        ]
    }
}

/// Check one exchange: not an IP literal, not a CNAME, resolves to addresses.
async fn check_exchange(dns: &Dns, host: &str) -> (Vec<Finding>, Vec<IpAddr>) {
    let mut findings = Vec::new();
    if host.parse::<IpAddr>().is_ok() {
        findings.push(
            Finding::new(
                "mx.ip-literal",
                Status::Fail,
                format!("MX exchange {host} is an IP address, not a host name; senders look it up as a name and find nothing"),
            )
            .fix(format!("point the MX at a host name (e.g. mail.example.com) whose A record is {host}")),
        );
        return (findings, Vec::new());
    }
    let (a, aaaa) = tokio::join!(
        dns.query_str(host, RecordType::A),
        dns.query_str(host, RecordType::AAAA)
    );
    let mut addresses = Vec::new();
    // Each address under the name that holds it (a CNAME's target).
    let mut lines = Vec::new();
    let mut cname = None;
    for (lookup, rtype) in [(&a, RecordType::A), (&aaaa, RecordType::AAAA)] {
        match lookup {
            Ok(ans) => {
                let owner = ans.owner(rtype).unwrap_or_else(|| host.to_string());
                for ip in ans.addresses() {
                    lines.push(format!("{owner}. {rtype} {ip}"));
                    addresses.push(ip);
                }
                if let Some((_, target)) = ans.cname_chain().last() {
                    cname = Some((target.clone(), ans.cname_lines()));
                }
            }
            Err(e) => {
                findings.push(dns_error(
                    "mx.address",
                    &format!("the address of MX {host}"),
                    e,
                ));
                return (findings, Vec::new());
            }
        }
    }
    if let Some((target, chain)) = cname {
        let mut f = Finding::new(
            "mx.cname",
            Status::Fail,
            format!("MX exchange {host} is a CNAME (to {target}); an MX must name a host with its own A/AAAA records (RFC 2181 10.3, RFC 5321 5.1)"),
        )
        .fix(format!("point the MX straight at {target}"));
        f.records = chain;
        findings.push(f);
    }
    if addresses.is_empty() {
        findings.push(
            Finding::new(
                "mx.address",
                Status::Fail,
                format!("MX exchange {host} has no A or AAAA record: mail for this exchange cannot be delivered"),
            )
            .fix(format!("publish an A (and/or AAAA) record for {host}, or remove the MX")),
        );
    } else {
        let mut f = Finding::new(
            "mx.address",
            Status::Pass,
            format!("MX exchange {host} resolves to {}", join_ips(&addresses)),
        );
        f.records = lines;
        findings.push(f);
    }
    (findings, addresses)
}

/// Forward-confirmed reverse DNS for one address: PTR, then each PTR name's
/// addresses must include the address again.
pub async fn fcrdns(dns: &Dns, ip: IpAddr, name: &str, what: &str) -> Vec<Finding> {
    let ptr = match dns.query_ptr(ip).await {
        Ok(a) => a,
        Err(e) => return vec![dns_error(name, &format!("the PTR record of {ip}"), &e)],
    };
    let names = ptr.ptr_names();
    if names.is_empty() {
        return vec![
            Finding::new(
                name,
                Status::Warn,
                format!("{what} {ip} has no PTR record; many receivers distrust or reject mail from addresses without reverse DNS"),
            )
            .fix(format!("ask whoever owns {ip} (your hosting or network provider) to set its PTR to the host's name, which must resolve back to {ip}")),
        ];
    }
    let forward: Vec<(String, Lookup)> = join_all(names.iter().map(|n| async move {
        let family = if ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::AAAA
        };
        (n.clone(), dns.query_str(n, family).await)
    }))
    .await;
    let mut seen = Vec::new();
    for (host, lookup) in &forward {
        match lookup {
            Ok(ans) => {
                let addrs = ans.addresses();
                if addrs.contains(&ip) {
                    return vec![
                        Finding::new(
                            name,
                            Status::Pass,
                            format!("{what} {ip} has PTR {host}, which resolves back to {ip} (forward-confirmed)"),
                        )
                        .record(format!("{} PTR {host}.", display_name(&reverse_name(ip)))),
                    ];
                }
                seen.push(format!(
                    "{host} -> {}",
                    if addrs.is_empty() {
                        "no address".to_string()
                    } else {
                        join_ips(&addrs)
                    }
                ));
            }
            Err(e) => return vec![dns_error(name, &format!("the address of {host}"), e)],
        }
    }
    vec![
        Finding::new(
            name,
            Status::Fail,
            format!("{what} {ip} has PTR {}, but that name does not resolve back to {ip} ({})", names.join(", "), seen.join("; ")),
        )
        .fix(format!("make the PTR of {ip} name a host whose A/AAAA record is {ip}, or add {ip} to that host's records"))
        .record(format!("{} PTR {}.", display_name(&reverse_name(ip)), names.join(". "))),
    ]
}

fn join_ips(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
