//! One question over its own TCP connection (RFC 7766), for answers UDP
//! could not carry whole or could not be trusted with.

use super::{
    client::io_failure,
    wire::{Opt, encode, parse_answer},
};
use crate::dns::DnsFailure;
use hickory_resolver::proto::{
    op::Message,
    rr::{Name, RecordType},
};
use std::{net::SocketAddr, time::Duration};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// One question over its own TCP connection (RFC 7766), all within the
/// timeout; a DNSSEC question keeps its DO bit ([`Opt::Dnssec`]), any other
/// goes without EDNS.
pub(super) async fn ask(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    dnssec: bool,
) -> Result<Message, DnsFailure> {
    let id: u16 = rand::random();
    let opt = if dnssec { Opt::Dnssec } else { Opt::Plain };
    let packet = encode(id, name, rtype, opt)?;
    let exchange = async {
        let mut stream = TcpStream::connect(server)
            .await
            .map_err(|e| io_failure("TCP", &e))?;
        let io = |e: std::io::Error| io_failure("TCP", &e);
        stream.set_nodelay(true).map_err(io)?;
        let mut framed = Vec::with_capacity(packet.len() + 2);
        framed.extend_from_slice(&(packet.len() as u16).to_be_bytes());
        framed.extend_from_slice(&packet);
        stream.write_all(&framed).await.map_err(io)?;
        loop {
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).await.map_err(io)?;
            let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
            stream.read_exact(&mut buf).await.map_err(io)?;
            // An answer to anything else on this connection is skipped.
            if let Some(message) = parse_answer(&buf, id, name, rtype) {
                return Ok(message);
            }
        }
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(DnsFailure::Timeout),
    }
}
