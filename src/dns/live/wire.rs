//! Questions and answers on the wire: the query mailcheck sends, and the
//! test an arriving message must pass to count as the answer to it. The
//! messages themselves are built and parsed by hickory-proto.

use crate::dns::DnsFailure;
use hickory_resolver::proto::{
    op::{Edns, Message, MessageType, Query, ResponseCode},
    rr::{DNSClass, Name, RecordType},
};

/// The UDP payload size offered with EDNS (RFC 6891).
pub(super) const EDNS_PAYLOAD: u16 = 1232;

/// A socket reader's buffer: above the 1,232 bytes mailcheck offers with
/// EDNS and the 4,096 many servers use regardless. A longer datagram fills
/// the buffer's extra byte: its question is asked again over TCP.
pub(super) const UDP_BUFFER: usize = 4_096;

/// What a question carries in its OPT record (RFC 6891).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Opt {
    /// No OPT record: for a server that answered FORMERR or NOTIMP to EDNS,
    /// and over TCP.
    Plain,
    /// EDNS with mailcheck's UDP payload size.
    Edns,
    /// EDNS with the DO bit (RFC 3225) and the CD bit (RFC 4035 3.2.2): the
    /// server is to send the RRSIG, NSEC and NSEC3 records with its answer,
    /// and a validating resolver is to pass on data it finds bogus, so that
    /// mailcheck validates the answer itself and can say why it fails.
    Dnssec,
}

/// What one UDP exchange produced.
pub(super) enum Got {
    /// The answer.
    Message(Message),
    /// The answer cannot be used as it came (larger than the buffer, or its
    /// question in another case): ask over TCP.
    UseTcp,
}

/// A recursive query for `name`/`rtype` with this ID; over UDP it offers
/// EDNS with a 1,232-byte payload (the DNS Flag Day 2020 size, which avoids
/// IP fragmentation), so a DKIM key or a long SPF record needs no TCP retry.
/// A DNSSEC question ([`Opt::Dnssec`]) sets DO and CD as well.
pub(super) fn encode(
    id: u16,
    name: &Name,
    rtype: RecordType,
    edns: Opt,
) -> Result<Vec<u8>, DnsFailure> {
    let mut message = Message::query();
    message.metadata.id = id;
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name.clone(), rtype));
    if edns != Opt::Plain {
        let mut opt = Edns::new();
        opt.set_max_payload(EDNS_PAYLOAD);
        if edns == Opt::Dnssec {
            opt.set_dnssec_ok(true);
            message.metadata.checking_disabled = true;
        }
        message.edns = Some(opt);
    }
    message
        .to_vec()
        .map_err(|e| DnsFailure::Other(format!("cannot encode the question for {name}: {e}")))
}

/// The message in `bytes` if it is the answer to this question: a response
/// with this ID, to exactly this one question (the name in any case). A
/// FORMERR, NOTIMP or REFUSED without a question section is taken by its ID
/// alone: servers that reject a question often leave it out.
pub(super) fn parse_answer(
    bytes: &[u8],
    id: u16,
    name: &Name,
    rtype: RecordType,
) -> Option<Message> {
    let message = Message::from_vec(bytes).ok()?;
    if message.metadata.id != id || message.metadata.message_type != MessageType::Response {
        return None;
    }
    let answers = match message.queries.as_slice() {
        // hickory compares names without regard to case.
        [asked] => {
            asked.query_type() == rtype
                && asked.query_class() == DNSClass::IN
                && asked.name() == name
        }
        [] => matches!(
            message.metadata.response_code,
            ResponseCode::FormErr | ResponseCode::NotImp | ResponseCode::Refused
        ),
        _ => false,
    };
    answers.then_some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(opt: Opt) -> Message {
        let name = Name::from_ascii("example.com.").unwrap();
        Message::from_vec(&encode(7, &name, RecordType::DS, opt).unwrap()).unwrap()
    }

    #[test]
    fn dnssec_questions_set_do_and_cd_and_others_do_not() {
        let m = sent(Opt::Dnssec);
        let edns = m.edns.as_ref().expect("an OPT record");
        assert!(edns.flags().dnssec_ok, "DO (RFC 3225)");
        assert!(m.metadata.checking_disabled, "CD (RFC 4035 3.2.2)");
        assert_eq!(edns.max_payload(), EDNS_PAYLOAD);

        let m = sent(Opt::Edns);
        assert!(!m.edns.as_ref().expect("an OPT record").flags().dnssec_ok);
        assert!(!m.metadata.checking_disabled);

        let m = sent(Opt::Plain);
        assert!(m.edns.is_none());
    }
}
