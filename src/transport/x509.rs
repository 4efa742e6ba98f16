//! The few fields of an X.509 certificate that webpki does not hand out: the validity dates,
//! the subject's common names, and whether a subjectAltName extension names any DNS name.
//!
//! A small DER reader over untrusted bytes: single-byte tags, definite lengths of up to four
//! bytes, every slice bounds-checked. Anything else is a parse failure (`None`), never a panic.

/// What [`parse`] takes out of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertFields {
    /// `notBefore`, in seconds since the Unix epoch.
    pub(crate) not_before: u64,
    /// `notAfter`, in seconds since the Unix epoch.
    pub(crate) not_after: u64,
    /// Every commonName of the subject that is a UTF8String, PrintableString or IA5String.
    pub(crate) common_names: Vec<String>,
    /// Whether a subjectAltName extension holds at least one dNSName.
    pub(crate) has_dns_alt_name: bool,
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const INTEGER: u8 = 0x02;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const UTF8_STRING: u8 = 0x0c;
const PRINTABLE_STRING: u8 = 0x13;
const IA5_STRING: u8 = 0x16;
/// `[0] EXPLICIT Version` of the TBSCertificate.
const VERSION: u8 = 0xa0;
/// `[1] IMPLICIT issuerUniqueID`.
const ISSUER_UID: u8 = 0x81;
/// `[2] IMPLICIT subjectUniqueID`.
const SUBJECT_UID: u8 = 0x82;
/// `[3] EXPLICIT Extensions`.
const EXTENSIONS: u8 = 0xa3;
/// `dNSName [2] IMPLICIT IA5String` in a GeneralName.
const DNS_NAME: u8 = 0x82;

/// id-at-commonName, 2.5.4.3.
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
/// id-ce-subjectAltName, 2.5.29.17.
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];

/// Reads DER elements one after another out of a byte slice.
struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Der { rest: bytes }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element: its tag and its contents.
    fn read(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        if tag & 0x1f == 0x1f {
            return None; // multi-byte tag: not used by the fields read here
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return None; // indefinite or absurd length
            }
            let (bytes, after) = (rest.get(..count)?, rest.get(count..)?);
            rest = after;
            bytes.iter().try_fold(0usize, |len, &b| {
                len.checked_mul(256)?.checked_add(usize::from(b))
            })?
        };
        let contents = rest.get(..len)?;
        self.rest = rest.get(len..)?;
        Some((tag, contents))
    }

    /// The contents of the next element, which must have tag `tag`.
    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.read()? {
            (found, contents) if found == tag => Some(contents),
            _ => None,
        }
    }

    /// The contents of the next element if it has tag `tag`; nothing is consumed otherwise.
    fn optional(&mut self, tag: u8) -> Option<&'a [u8]> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag)
        } else {
            None
        }
    }
}

/// Takes the validity dates, the subject's common names and whether there is a DNS
/// subjectAltName out of a DER certificate; `None` when it does not parse.
pub(crate) fn parse(cert: &[u8]) -> Option<CertFields> {
    let certificate = Der::new(cert).expect(SEQUENCE)?;
    let mut tbs = Der::new(Der::new(certificate).expect(SEQUENCE)?);
    tbs.optional(VERSION);
    tbs.expect(INTEGER)?; // serialNumber
    tbs.expect(SEQUENCE)?; // signature
    tbs.expect(SEQUENCE)?; // issuer
    let mut validity = Der::new(tbs.expect(SEQUENCE)?);
    let not_before = read_time(&mut validity)?;
    let not_after = read_time(&mut validity)?;
    let subject = tbs.expect(SEQUENCE)?;
    tbs.expect(SEQUENCE)?; // subjectPublicKeyInfo
    tbs.optional(ISSUER_UID);
    tbs.optional(SUBJECT_UID);
    let has_dns_alt_name = match tbs.optional(EXTENSIONS) {
        Some(extensions) => has_dns_alt_name(extensions)?,
        None => false,
    };
    Some(CertFields {
        not_before,
        not_after,
        common_names: common_names(subject)?,
        has_dns_alt_name,
    })
}

/// The commonName values of a Name (the contents of its SEQUENCE).
fn common_names(name: &[u8]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut rdns = Der::new(name);
    while !rdns.is_empty() {
        let mut attributes = Der::new(rdns.expect(SET)?);
        while !attributes.is_empty() {
            let mut attribute = Der::new(attributes.expect(SEQUENCE)?);
            let kind = attribute.expect(OID)?;
            let (tag, value) = attribute.read()?;
            if kind == OID_COMMON_NAME && matches!(tag, UTF8_STRING | PRINTABLE_STRING | IA5_STRING)
            {
                if let Ok(text) = std::str::from_utf8(value) {
                    names.push(text.to_owned());
                }
            }
        }
    }
    Some(names)
}

/// Whether the `[3]` extensions (the contents of the explicit tag) hold a subjectAltName with
/// a dNSName in it.
fn has_dns_alt_name(extensions: &[u8]) -> Option<bool> {
    let mut list = Der::new(Der::new(extensions).expect(SEQUENCE)?);
    while !list.is_empty() {
        let mut extension = Der::new(list.expect(SEQUENCE)?);
        let id = extension.expect(OID)?;
        extension.optional(BOOLEAN); // critical
        let value = extension.expect(OCTET_STRING)?;
        if id != OID_SUBJECT_ALT_NAME {
            continue;
        }
        let mut names = Der::new(Der::new(value).expect(SEQUENCE)?);
        while !names.is_empty() {
            if names.read()?.0 == DNS_NAME {
                return Some(true);
            }
        }
    }
    Some(false)
}

/// A UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) in
/// seconds since the Unix epoch; a time before the epoch counts as the epoch.
fn read_time(der: &mut Der<'_>) -> Option<u64> {
    let (tag, text) = der.read()?;
    let (year, rest) = match (tag, text.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(text.get(..2)?)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, text.get(2..)?)
        }
        (GENERALIZED_TIME, 15) => (digits(text.get(..4)?)?, text.get(4..)?),
        _ => return None,
    };
    if rest.last() != Some(&b'Z') {
        return None;
    }
    let field = |at: usize| digits(rest.get(at..at + 2)?);
    let (month, day) = (field(0)?, field(2)?);
    let (hour, minute, second) = (field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_since_epoch(year, month, day)?;
    let seconds = i64::try_from(hour * 3600 + minute * 60 + second).ok()?;
    let since_epoch = days.checked_mul(86_400)?.checked_add(seconds)?;
    Some(u64::try_from(since_epoch).unwrap_or(0))
}

/// ASCII decimal digits as a number.
fn digits(text: &[u8]) -> Option<u64> {
    text.iter().try_fold(0u64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })
}

fn is_leap(year: u64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (negative
/// before it), for a date already checked to exist.
fn days_since_epoch(year: u64, month: u64, day: u64) -> Option<i64> {
    let (year, month, day) = (
        i64::try_from(year).ok()?,
        i64::try_from(month).ok()?,
        i64::try_from(day).ok()?,
    );
    // Howard Hinnant's days_from_civil: years start in March, so February's leap day is last.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(edit: impl FnOnce(&mut rcgen::CertificateParams)) -> Vec<u8> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        edit(&mut params);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn dates_names_and_alt_names() {
        let der = cert(|params| {
            params.not_before = rcgen::date_time_ymd(1999, 12, 31);
            params.not_after = rcgen::date_time_ymd(2051, 2, 28);
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "localhost");
        });
        let fields = parse(&der).unwrap();
        assert_eq!(fields.not_before, 946_598_400); // 1999-12-31T00:00:00Z
        assert_eq!(fields.not_after, 2_561_155_200); // 2051-02-28T00:00:00Z
        assert_eq!(fields.common_names, ["localhost"]);
        assert!(!fields.has_dns_alt_name);

        let der = cert(|params| {
            params.subject_alt_names = vec![
                rcgen::SanType::IpAddress([127, 0, 0, 1].into()),
                rcgen::SanType::DnsName("example.com".try_into().unwrap()),
            ];
        });
        let fields = parse(&der).unwrap();
        assert!(fields.has_dns_alt_name);
        assert!(fields.common_names.is_empty());

        let der = cert(|params| {
            params.subject_alt_names = vec![rcgen::SanType::IpAddress([127, 0, 0, 1].into())];
        });
        assert!(!parse(&der).unwrap().has_dns_alt_name);
    }

    #[test]
    fn times() {
        let utc = |text: &str| {
            let mut der = vec![UTC_TIME, text.len() as u8];
            der.extend_from_slice(text.as_bytes());
            read_time(&mut Der::new(&der))
        };
        let generalized = |text: &str| {
            let mut der = vec![GENERALIZED_TIME, text.len() as u8];
            der.extend_from_slice(text.as_bytes());
            read_time(&mut Der::new(&der))
        };
        assert_eq!(utc("700101000000Z"), Some(0));
        assert_eq!(utc("000101000000Z"), Some(946_684_800));
        assert_eq!(utc("491231235959Z"), Some(2_524_607_999));
        assert_eq!(generalized("20000229120000Z"), Some(951_825_600));
        assert_eq!(generalized("99991231235959Z"), Some(253_402_300_799));
        assert_eq!(utc("691231235959Z"), Some(0));
        for bad in ["000230000000Z", "001301000000Z", "000101240000Z"] {
            assert_eq!(utc(bad), None, "{bad}");
        }
        for bad in [
            "19000229000000Z",
            "2000010100000Z",
            "20000101000000+",
            "2000010100000aZ",
        ] {
            assert_eq!(generalized(bad), None, "{bad}");
        }
    }

    #[test]
    fn garbage_does_not_parse() {
        let der = cert(|_| {});
        assert!(parse(&der).is_some());
        for len in 0..der.len() {
            assert!(parse(&der[..len]).is_none(), "cut at {len}");
        }
        // Any single bit flipped: parsed or refused, never a panic.
        for bit in 0..der.len() * 8 {
            let mut flipped = der.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let _ = parse(&flipped);
        }
        assert!(parse(&[0x30, 0x80, 0, 0]).is_none()); // indefinite length
        assert!(parse(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none()); // five length bytes
        assert!(parse(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(parse(&[0x1f, 0x01, 0x00]).is_none());
    }
}
