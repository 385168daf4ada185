//! The one reading of a URL (issue 13 item 6): every case of
//! `testdata/url-cases.json`, which the web page's unit tests also run.
#![cfg(feature = "alloc")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeMap;

use panicqr_report::decode::{parse_params, Packing};

/// Just enough JSON for the table (no dependency for one test file).
#[derive(Debug, PartialEq)]
enum Json {
    Null,
    Str(String),
    List(Vec<Json>),
    Map(BTreeMap<String, Json>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(self.s[self.i] as char, c as char, "at byte {}", self.i);
        self.i += 1;
    }

    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'n' => {
                assert_eq!(&self.s[self.i..self.i + 4], b"null");
                self.i += 4;
                Json::Null
            }
            b'"' => Json::Str(self.string()),
            b'[' => {
                self.i += 1;
                let mut v = Vec::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b']' {
                        self.i += 1;
                        return Json::List(v);
                    }
                    if !v.is_empty() {
                        self.eat(b',');
                    }
                    v.push(self.value());
                }
            }
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b'}' {
                        self.i += 1;
                        return Json::Map(m);
                    }
                    if !m.is_empty() {
                        self.eat(b',');
                        self.ws();
                    }
                    let k = self.string();
                    self.eat(b':');
                    m.insert(k, self.value());
                }
            }
            c => panic!("unexpected {:?} at byte {}", c as char, self.i),
        }
    }

    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut units: Vec<u16> = Vec::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => return String::from_utf16(&units).unwrap(),
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    let u = match e {
                        b'n' => 10,
                        b't' => 9,
                        b'r' => 13,
                        b'f' => 12,
                        b'b' => 8,
                        b'u' => {
                            let h = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
                            self.i += 4;
                            u16::from_str_radix(h, 16).unwrap()
                        }
                        c => u16::from(c),
                    };
                    units.push(u);
                }
                _ => {
                    // A UTF-8 sequence: take the whole character.
                    let start = self.i - 1;
                    let len = match c {
                        0..=0x7F => 1,
                        0xC0..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        _ => 4,
                    };
                    self.i = start + len;
                    let ch = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                    units.extend(ch.encode_utf16());
                }
            }
        }
    }
}

fn field<'a>(m: &'a BTreeMap<String, Json>, k: &str) -> Option<&'a str> {
    match &m[k] {
        Json::Null => None,
        Json::Str(s) => Some(s),
        other => panic!("{k}: {other:?}"),
    }
}

#[test]
fn issue_13_url_cases_read_as_the_table_says() {
    // This crate's own path: testkit's is fixed where it was compiled.
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/url-cases.json");
    let text = std::fs::read_to_string(path).unwrap();
    let Json::Map(top) = Parser {
        s: text.as_bytes(),
        i: 0,
    }
    .value() else {
        panic!("not an object")
    };
    let Json::List(cases) = &top["cases"] else {
        panic!("no cases")
    };
    let mut checked = 0;
    for case in cases {
        let Json::Map(case) = case else { panic!() };
        let name = field(case, "name").unwrap();
        let input = field(case, "input").unwrap();
        let got = parse_params(input);
        match &case["expect"] {
            Json::Null => assert_eq!(got, None, "{name}"),
            Json::Map(e) => {
                let got = got.unwrap_or_else(|| panic!("{name}: no data"));
                assert_eq!(got.arch.as_deref(), field(e, "a"), "{name}");
                assert_eq!(got.release.as_deref(), field(e, "v"), "{name}");
                assert_eq!(got.distribution.as_deref(), field(e, "d"), "{name}");
                let packing = match field(e, "packing") {
                    Some("z") => Packing::Z,
                    Some("zl") => Packing::Legacy,
                    p => panic!("{name}: packing {p:?}"),
                };
                assert_eq!(got.packing, packing, "{name}");
                assert_eq!(Some(got.digits.as_str()), field(e, "digits"), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 42);
}

#[test]
fn a_stray_non_ascii_character_is_one_digit_position_as_on_the_page() {
    use panicqr_report::decode::{decode, DecodeError, Problem};
    use panicqr_report::digits::DigitError;
    // 17 + 5 characters (but 17 + 8 bytes): a valid last group, so the
    // error is the character.
    let e = decode("?z=00281474976710656\u{1F600}0000").unwrap_err();
    assert_eq!(
        e,
        DecodeError::Unreadable(vec![
            Problem::Digits(DigitError::NotADigit { position: 17 }),
            // The 7 bytes before it are not a zlib header.
            Problem::StreamCorrupt,
        ])
    );
}
