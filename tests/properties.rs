//! Property tests of the protocol core: chunking never changes the result, escaping then parsing
//! is the identity, and output stays within a constant factor of input.

use proptest::prelude::*;
use telnetlib3::protocol::options::{escape_into, frame};
use telnetlib3::protocol::{ClientPolicy, Event, Negotiator, Parser, ServerPolicy, Token};
use telnetlib3::telopt::*;

/// Owned tokens with adjacent data merged, for comparing two parses.
#[derive(Debug, PartialEq, Eq)]
enum Owned {
    Data(Vec<u8>),
    Other(String),
}

fn push(tokens: &mut Vec<Owned>, token: Owned) {
    match (tokens.last_mut(), token) {
        (Some(Owned::Data(prev)), Owned::Data(more)) => prev.extend(more),
        (_, token) => tokens.push(token),
    }
}

fn parse_chunks(parser: &mut Parser, chunks: &[&[u8]]) -> Vec<Owned> {
    let mut tokens = Vec::new();
    for chunk in chunks {
        let mut pos = 0;
        while let Some(token) = parser.next_token(chunk, &mut pos) {
            let owned = match token {
                Token::Data(d) => Owned::Data(d.to_vec()),
                other => Owned::Other(format!("{other:?}")),
            };
            push(&mut tokens, owned);
        }
        assert_eq!(pos, chunk.len(), "every byte of a chunk is consumed");
    }
    tokens
}

/// Splits `input` at `cuts` (positions, in any order, possibly repeated).
fn split<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&input[start..cut]);
        start = cut;
    }
    chunks.push(&input[start..]);
    chunks
}

/// Pieces of telnet traffic, mixed with arbitrary bytes.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    let verb = prop_oneof![Just(WILL), Just(WONT), Just(DO), Just(DONT)];
    let option = prop_oneof![
        Just(BINARY),
        Just(ECHO),
        Just(SGA),
        Just(STATUS),
        Just(TM),
        Just(TTYPE),
        Just(NAWS),
        Just(TSPEED),
        Just(LINEMODE),
        Just(NEW_ENVIRON),
        Just(CHARSET),
        Just(LOGOUT),
        Just(EOR),
        Just(GMCP),
        any::<u8>(),
    ];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..12),
        (verb, option.clone()).prop_map(|(v, o)| vec![IAC, v, o]),
        (option, prop::collection::vec(any::<u8>(), 0..24)).prop_map(|(o, p)| {
            let mut out = Vec::new();
            frame(o, &p, &mut out);
            out
        }),
        (236u8..=255).prop_map(|c| vec![IAC, c]),
        Just(b"\r\0".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(vec![IAC, SB, TTYPE, 0, b'x', IAC, WILL, ECHO]),
        Just(b"hello world".to_vec()),
    ]
}

fn traffic() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(fragment(), 0..48).prop_map(|f| f.concat())
}

/// Everything a negotiator does with `chunks`: events (data merged) and bytes sent, plus the
/// largest single output of one chunk.
fn drive(mut neg: Negotiator, chunks: &[&[u8]]) -> (Vec<Owned>, Vec<u8>, Negotiator) {
    let mut events = Vec::new();
    let mut sent = neg.take_transmit();
    for chunk in chunks {
        for event in neg.receive(chunk) {
            let owned = match event {
                Event::Data(d) => Owned::Data(d.into_owned()),
                other => Owned::Other(format!("{other:?}")),
            };
            push(&mut events, owned);
        }
        sent.extend(neg.take_transmit());
    }
    (events, sent, neg)
}

fn negotiators() -> Vec<Negotiator> {
    vec![
        Negotiator::server(ServerPolicy::default().subnegotiation_limit(64)),
        Negotiator::server(ServerPolicy::default().line_mode(true).encoding(None)),
        Negotiator::client(ClientPolicy::default().term("xterm").always_do(&[GMCP])),
        Negotiator::client(
            ClientPolicy::default()
                .always_will(&[LINEMODE])
                .xdisploc("h:0"),
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_is_split_safe(input in traffic(), cuts in prop::collection::vec(any::<usize>(), 0..12),
                            strip in any::<bool>(), limit in 8usize..64) {
        let make = || {
            let mut p = Parser::new();
            p.set_strip_cr_nul(strip);
            p.set_subnegotiation_limit(limit);
            p
        };
        let whole = parse_chunks(&mut make(), &[&input]);
        let pieces = parse_chunks(&mut make(), &split(&input, &cuts));
        prop_assert_eq!(whole, pieces);
    }

    #[test]
    fn parser_byte_at_a_time(input in traffic()) {
        let whole = parse_chunks(&mut Parser::new(), &[&input]);
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(whole, parse_chunks(&mut Parser::new(), &bytes));
    }

    #[test]
    fn negotiator_is_split_safe(input in traffic(), cuts in prop::collection::vec(any::<usize>(), 0..12)) {
        for (a, b) in negotiators().into_iter().zip(negotiators()) {
            let (events_a, sent_a, neg_a) = drive(a, &[&input]);
            let (events_b, sent_b, neg_b) = drive(b, &split(&input, &cuts));
            prop_assert_eq!(events_a, events_b);
            prop_assert_eq!(sent_a, sent_b);
            prop_assert_eq!(neg_a.info(), neg_b.info());
            prop_assert_eq!(neg_a.mode(), neg_b.mode());
        }
    }

    #[test]
    fn escape_then_parse_is_identity(data in prop::collection::vec(any::<u8>(), 0..512),
                                     cuts in prop::collection::vec(any::<usize>(), 0..8)) {
        let mut wire = Vec::new();
        escape_into(&data, &mut wire);
        let mut parser = Parser::new();
        parser.set_strip_cr_nul(false);
        let tokens = parse_chunks(&mut parser, &split(&wire, &cuts));
        if data.is_empty() {
            prop_assert!(tokens.is_empty());
        } else {
            prop_assert_eq!(tokens, vec![Owned::Data(data)]);
        }
    }

    #[test]
    fn frame_then_parse_is_identity(option in 0u8..255, payload in prop::collection::vec(any::<u8>(), 0..300),
                                    cuts in prop::collection::vec(any::<usize>(), 0..8)) {
        let mut wire = Vec::new();
        frame(option, &payload, &mut wire);
        let mut parser = Parser::new();
        let mut found = Vec::new();
        for chunk in split(&wire, &cuts) {
            let mut pos = 0;
            while let Some(token) = parser.next_token(chunk, &mut pos) {
                match token {
                    Token::Subnegotiation { option: o, payload: p } => found.push((o, p.to_vec())),
                    other => prop_assert!(false, "unexpected {:?}", other),
                }
            }
        }
        prop_assert_eq!(found, vec![(option, payload)]);
    }

    #[test]
    fn output_is_bounded_by_input(input in traffic()) {
        for neg in negotiators() {
            let (_, sent, neg) = drive(neg, &[&input]);
            prop_assert!(sent.len() <= 64 * input.len() + 4096, "{} bytes out for {} in", sent.len(), input.len());
            prop_assert!(neg.info().ttypes.len() <= 8);
        }
    }
}

#[test]
fn crlf_variants_per_rfc854() {
    let mut parser = Parser::new();
    let tokens = parse_chunks(&mut parser, &[b"a\r\nb\r\0c\rd\0e"]);
    assert_eq!(tokens, vec![Owned::Data(b"a\r\nb\rc\rd\0e".to_vec())]);
    // CR at the end of one read, NUL at the start of the next.
    let tokens = parse_chunks(&mut Parser::new(), &[b"x\r", b"\0y"]);
    assert_eq!(tokens, vec![Owned::Data(b"x\ry".to_vec())]);
    // A command between CR and NUL breaks the pair.
    let tokens = parse_chunks(&mut Parser::new(), &[b"x\r\xff\xf1\0"]);
    assert_eq!(
        tokens,
        vec![
            Owned::Data(b"x\r".to_vec()),
            Owned::Other("Command(241)".into()),
            Owned::Data(b"\0".to_vec())
        ]
    );
}

#[test]
fn escaped_bytes_count_toward_the_subnegotiation_limit() {
    let mut parser = Parser::new();
    parser.set_subnegotiation_limit(10);
    let mut wire = Vec::new();
    frame(TTYPE, &[0xff; 6], &mut wire); // 6 payload bytes, 12 on the wire
    wire.extend_from_slice(b"after");
    let tokens = parse_chunks(&mut parser, &[&wire]);
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    assert!(matches!(&tokens[0], Owned::Other(w) if w.contains("SubnegotiationOverflow")));
    assert_eq!(tokens[1], Owned::Data(b"after".to_vec()));
}

#[test]
fn subnegotiation_ended_by_a_command() {
    let mut parser = Parser::new();
    let tokens = parse_chunks(&mut parser, &[b"\xff\xfa\x18\x00ab\xff\xfb\x01z"]);
    let shown: Vec<String> = tokens.iter().map(|t| format!("{t:?}")).collect();
    assert_eq!(tokens.len(), 4, "{shown:?}");
    assert!(shown[0].contains("UnterminatedSubnegotiation"));
    assert!(shown[1].contains("Subnegotiation { option: 24, payload: [0, 97, 98] }"));
    assert!(shown[2].contains("Negotiation { command: 251, option: 1 }"));
    assert_eq!(tokens[3], Owned::Data(b"z".to_vec()));
}
