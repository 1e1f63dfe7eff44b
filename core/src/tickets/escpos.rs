//! The printed ticket as ESC/POS bytes, for a network thermal printer (raw TCP, port 9100).
//!
//! A small encoder of our own rather than the `escpos` crate, which owns the I/O: here the
//! bytes are a plain value, so tests can decode them and [`super::printer`] only sends them.
//! The commands are Epson's ESC/POS, which practically every receipt printer on the market
//! understands; the code page numbers are Epson's `ESC t` table, which clones follow.
//!
//! # Which languages print
//!
//! A thermal printer draws text from a one-byte code page in its own ROM, so it can show only
//! what the page holds:
//!
//! | languages | code page (`ESC t n`) |
//! | --- | --- |
//! | Spanish, English, Portuguese, French, Haitian Creole | Windows-1252 (`n = 16`) |
//! | Turkish | Windows-1254 (`n = 48`) |
//! | Russian | PC866, Cyrillic (`n = 17`) |
//!
//! Arabic, Chinese, Punjabi (Gurmukhi) and Hindi (Devanagari) need shaping or thousands of
//! glyphs no code page has. Their block is left out of the printed ticket, which then carries
//! Spanish and English only; [`Printout::omitted`] names what was left out so the app can tell
//! the officer to hand over the HTML ticket (which shows every language) as well.
//!
//! The ticket itself: the port, the time of issue, the number very large, each language's
//! block (title, interpreter request if any, party size, call window, the five instructions,
//! where the QR code leads), the QR code drawn by the printer, a feed and a cut.
//!
//! # Paper width
//!
//! Each port says which roll its printer takes ([`Paper`]): 80 mm (42 columns of font A
//! wrapped, 576 dots) or 58 mm (32 columns, 384 dots). Text is wrapped at the roll's columns,
//! and the ticket number's magnification and the QR code's module size are chosen so that
//! both fit within those columns' dots (12 dots a column).

use qrcode::bits::Bits;
use qrcode::{EcLevel, Version};

use super::catalog::{LanguageTexts, TicketTexts};
use super::number::TicketNumber;
use crate::languages::Language;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = 0x0A;

/// `ESC @`: reset the printer, so no style left by another program leaks into our ticket.
const INITIALIZE: [u8; 2] = [ESC, b'@'];
/// The ticket number's character magnification at most (4 × 4): six characters of 12 dots
/// at 4× are 288 dots, which fits 80 mm and 58 mm paper; a longer text is printed smaller.
const NUMBER_MAGNIFICATION: u8 = 4;
const NORMAL_SIZE: u8 = size(1, 1);
/// Width in dots of one font A character (12 × 24 dots).
const FONT_A_DOTS: usize = 12;

/// `GS ( k` QR code functions (cn = 49), Epson's function numbers.
const QR_CN: u8 = 49;
const QR_SELECT_MODEL: u8 = 65;
const QR_MODEL_2: u8 = 50;
const QR_MODULE_SIZE: u8 = 67;
const QR_ERROR_CORRECTION: u8 = 69;
/// Level M (15 %), the same as the HTML ticket's code (see `qr::ERROR_CORRECTION`).
const QR_LEVEL_M: u8 = 49;
const QR_STORE: u8 = 80;
const QR_PRINT: u8 = 81;
/// Dots per module at most: 6 makes a typical status URL (version 3 or 4) about 25 mm wide.
/// A long URL (a larger version) gets fewer, so the code fits the paper (see [`qr_module_dots`]).
const QR_DOTS_PER_MODULE: u8 = 6;
/// The blank margin of four modules a QR code needs on each side to be found by a phone.
const QR_QUIET_ZONE: usize = 4;
/// The most a QR code holds in byte mode at level M; a longer URL is left off, not cut short.
pub const QR_MAX_BYTES: usize = 2331;

/// `GS V 66 n`: feed to the cutter, then cut leaving a small hinge (a partial cut), so the
/// ticket hangs from the printer until the officer hands it over instead of falling.
const CUT_FEED_PARTIAL: u8 = 66;
/// Lines fed after the QR code so the cut does not graze it.
const FEED_BEFORE_CUT: u8 = 2;

const fn size(width: u8, height: u8) -> u8 {
    ((width - 1) << 4) | (height - 1)
}

/// The width of the thermal paper roll a port's printer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// 80 mm, the common receipt roll.
    #[default]
    Mm80,
    /// 58 mm, small and portable printers.
    Mm58,
}

impl Paper {
    /// Both rolls, widest first.
    pub const ALL: [Paper; 2] = [Paper::Mm80, Paper::Mm58];

    /// The roll for a width typed or stored in millimetres (`"80"`, `" 58 "`).
    pub fn parse(value: &str) -> Option<Paper> {
        value.trim().parse().ok().and_then(Paper::from_mm)
    }

    /// The roll of a width in millimetres, if it is one of ours.
    pub fn from_mm(mm: i32) -> Option<Paper> {
        match mm {
            80 => Some(Paper::Mm80),
            58 => Some(Paper::Mm58),
            _ => None,
        }
    }

    /// The width in millimetres.
    pub fn mm(self) -> u32 {
        match self {
            Paper::Mm80 => 80,
            Paper::Mm58 => 58,
        }
    }

    /// Columns of font A text the ticket wraps at. An 80 mm printer fits 48 (576 dots) or 42
    /// (512 dots): wrapping at 42 keeps words whole on both. A 58 mm printer fits 32.
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm80 => 42,
            Paper::Mm58 => 32,
        }
    }

    /// The print head's width in dots (203 dpi).
    pub fn dots(self) -> usize {
        match self {
            Paper::Mm80 => 576,
            Paper::Mm58 => 384,
        }
    }

    /// The dots the ticket is laid out in: its columns of font A, which every printer of this
    /// roll has (an 80 mm printer of 42 columns prints only 512 of its dots).
    fn layout_dots(self) -> usize {
        self.columns() * FONT_A_DOTS
    }
}

/// The magnification (1 to 4) at which `text` still fits on one line of this paper.
fn number_magnification(paper: Paper, text: &str) -> u8 {
    let chars = text.chars().count().max(1);
    let fits = paper.columns() / chars;
    u8::try_from(fits)
        .unwrap_or(u8::MAX)
        .clamp(1, NUMBER_MAGNIFICATION)
}

/// The smallest QR version (1 to 40) holding `data` in byte mode at level M, the way the
/// printer stores it (`GS ( k` function 80 takes bytes); `None` if none holds it.
fn qr_version(data: &[u8]) -> Option<i16> {
    (1..=40).find(|&v| {
        let mut bits = Bits::new(Version::Normal(v));
        bits.push_byte_data(data).is_ok()
            && bits.max_len(EcLevel::M).is_ok_and(|max| bits.len() <= max)
    })
}

/// Dots per module (1 to [`QR_DOTS_PER_MODULE`]) so that the code of `data`, with its quiet
/// zone, fits the paper's width.
fn qr_module_dots(paper: Paper, data: &[u8]) -> u8 {
    let version = usize::try_from(qr_version(data).unwrap_or(40)).unwrap_or(40);
    let modules = 17 + 4 * version + 2 * QR_QUIET_ZONE;
    u8::try_from(paper.layout_dots() / modules)
        .unwrap_or(u8::MAX)
        .clamp(1, QR_DOTS_PER_MODULE)
}

/// A code page a thermal printer holds in ROM, and the text we can print with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePage {
    /// Windows-1252, Western European: Spanish, English, Portuguese, French, Haitian Creole.
    Wpc1252,
    /// Windows-1254, Turkish.
    Wpc1254,
    /// PC866, Cyrillic (Russian).
    Pc866,
}

/// The upper half (bytes 0x80–0xFF) of each code page; the lower half is ASCII. U+FFFD marks
/// bytes the page leaves undefined. Generated from the standard tables, not typed by hand.
const WPC1252_HIGH: &str = "€\u{FFFD}‚ƒ„…†‡ˆ‰Š‹Œ\u{FFFD}Ž\u{FFFD}\u{FFFD}‘’“”•–—˜™š›œ\u{FFFD}žŸ\u{A0}¡¢£¤¥¦§¨©ª«¬\u{AD}®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ";
const WPC1254_HIGH: &str = "€\u{FFFD}‚ƒ„…†‡ˆ‰Š‹Œ\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}‘’“”•–—˜™š›œ\u{FFFD}\u{FFFD}Ÿ\u{A0}¡¢£¤¥¦§¨©ª«¬\u{AD}®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏĞÑÒÓÔÕÖ×ØÙÚÛÜİŞßàáâãäåæçèéêëìíîïğñòóôõö÷øùúûüışÿ";
const PC866_HIGH: &str = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмноп░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀рстуфхцчшщъыьэюяЁёЄєЇїЎў°∙·√№¤■\u{A0}";

impl CodePage {
    /// The code page for a catalog language (BCP 47 tag), or `None` for scripts no printer
    /// code page can show.
    pub fn for_tag(tag: &str) -> Option<CodePage> {
        match tag {
            "es" | "en" | "pt" | "fr" | "ht" => Some(CodePage::Wpc1252),
            "tr" => Some(CodePage::Wpc1254),
            "ru" => Some(CodePage::Pc866),
            _ => None,
        }
    }

    /// The page's number in Epson's `ESC t` table.
    pub fn esc_t(self) -> u8 {
        match self {
            CodePage::Wpc1252 => 16,
            CodePage::Pc866 => 17,
            CodePage::Wpc1254 => 48,
        }
    }

    fn high_half(self) -> &'static str {
        match self {
            CodePage::Wpc1252 => WPC1252_HIGH,
            CodePage::Wpc1254 => WPC1254_HIGH,
            CodePage::Pc866 => PC866_HIGH,
        }
    }

    /// The byte for a printable character, if this page has it.
    pub fn encode_char(self, c: char) -> Option<u8> {
        if (' '..='~').contains(&c) {
            return Some(c as u8);
        }
        if c == '\u{FFFD}' {
            return None;
        }
        let index = self.high_half().chars().position(|h| h == c)?;
        Some(0x80 + index as u8)
    }
}

/// Everything the printed ticket shows. The texts come from
/// [`Catalog::texts_for`](super::catalog::Catalog::texts_for), already holding the party size
/// and call window; the time of issue is already formatted in the port's local time.
#[derive(Debug, Clone, Copy)]
pub struct PrintTicket<'a> {
    pub port_name: &'a str,
    pub number: TicketNumber,
    pub issued_at: &'a str,
    /// The ticket's public status page, printed as a QR code.
    pub status_url: &'a str,
    pub texts: &'a TicketTexts,
    /// The roll the port's printer takes: where lines wrap, how large the number and QR code.
    pub paper: Paper,
}

/// The bytes to send, and what could not be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printout {
    pub bytes: Vec<u8>,
    /// Languages of the ticket left out because no printer code page has their script
    /// (Arabic, Chinese, Punjabi, Hindi): the applicant needs the HTML ticket too.
    pub omitted: Vec<&'static Language>,
}

/// Encodes the ticket for an ESC/POS printer. See the module documentation for the layout
/// and for which languages print.
pub fn encode(ticket: &PrintTicket<'_>) -> Printout {
    let mut out = Escpos {
        bytes: Vec::new(),
        page: None,
        paper: ticket.paper,
    };
    out.raw(&INITIALIZE);
    out.code_page(CodePage::Wpc1252);

    out.align_center(true);
    out.bold(true);
    out.text_lines(ticket.port_name);
    out.bold(false);
    out.text_lines(ticket.issued_at);
    out.newline();
    let number = ticket.number.to_string();
    let magnification = number_magnification(ticket.paper, &number);
    out.char_size(size(magnification, magnification));
    out.bold(true);
    out.wrapped(&number, ticket.paper.columns() / usize::from(magnification));
    out.bold(false);
    out.char_size(NORMAL_SIZE);
    out.align_center(false);

    let mut omitted = Vec::new();
    for block in &ticket.texts.languages {
        match CodePage::for_tag(block.language.tag) {
            Some(page) => out.language_block(page, block),
            None => omitted.push(block.language),
        }
    }

    out.newline();
    out.align_center(true);
    if ticket.status_url.len() <= QR_MAX_BYTES {
        out.qr_code(ticket.status_url.as_bytes());
    }
    out.align_center(false);
    out.raw(&[ESC, b'd', FEED_BEFORE_CUT]);
    out.raw(&[GS, b'V', CUT_FEED_PARTIAL, 0]);
    Printout {
        bytes: out.bytes,
        omitted,
    }
}

/// The command stream being written, with the code page currently selected.
struct Escpos {
    bytes: Vec<u8>,
    page: Option<CodePage>,
    paper: Paper,
}

impl Escpos {
    fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    fn newline(&mut self) {
        self.bytes.push(LF);
    }

    fn code_page(&mut self, page: CodePage) {
        if self.page != Some(page) {
            self.raw(&[ESC, b't', page.esc_t()]);
            self.page = Some(page);
        }
    }

    fn align_center(&mut self, center: bool) {
        self.raw(&[ESC, b'a', u8::from(center)]);
    }

    fn bold(&mut self, on: bool) {
        self.raw(&[ESC, b'E', u8::from(on)]);
    }

    fn char_size(&mut self, size: u8) {
        self.raw(&[GS, b'!', size]);
    }

    /// One language's part of the ticket.
    fn language_block(&mut self, page: CodePage, block: &LanguageTexts) {
        let columns = self.paper.columns();
        self.code_page(page);
        self.text_lines(&"-".repeat(columns));
        self.bold(true);
        self.text_lines(&block.title);
        if let Some(interpreter) = &block.interpreter {
            self.text_lines(interpreter);
        }
        self.bold(false);
        self.text_lines(&block.party_size);
        self.text_lines(&block.estimate);
        // Numbered like the pictograms on the HTML ticket, with a hanging indent so each
        // instruction stands apart.
        for (i, instruction) in block.instructions.iter().enumerate() {
            let marker = format!("{}. ", i + 1);
            for (j, line) in wrap(&instruction.text, columns - marker.len())
                .iter()
                .enumerate()
            {
                let lead = if j == 0 {
                    marker.clone()
                } else {
                    " ".repeat(marker.len())
                };
                self.text_line(&format!("{lead}{line}"));
            }
        }
        self.text_lines(&block.scan_status);
    }

    /// Text wrapped at the paper's columns, each line ended.
    fn text_lines(&mut self, text: &str) {
        self.wrapped(text, self.paper.columns());
    }

    /// Text wrapped at `width` characters, each line ended.
    fn wrapped(&mut self, text: &str, width: usize) {
        for line in wrap(text, width) {
            self.text_line(&line);
        }
    }

    /// One line of text in the current code page, ended with LF.
    ///
    /// Control characters become spaces, so a port name or translation can never smuggle a
    /// printer command in. A character the page lacks is spelled in ASCII when there is an
    /// obvious spelling (typographic quotes and dashes), and printed as `?` otherwise; the
    /// tests check that no shipped text needs the `?`.
    fn text_line(&mut self, line: &str) {
        let page = self.page.unwrap_or(CodePage::Wpc1252);
        for c in line.chars() {
            if c.is_control() {
                self.bytes.push(b' ');
            } else if let Some(byte) = page.encode_char(c) {
                self.bytes.push(byte);
            } else {
                self.bytes.extend_from_slice(ascii_spelling(c).as_bytes());
            }
        }
        self.newline();
    }

    /// `GS ( k`: the printer draws the QR code itself (model 2, level M).
    fn qr_code(&mut self, data: &[u8]) {
        self.qr_function(QR_SELECT_MODEL, &[QR_MODEL_2, 0]);
        self.qr_function(QR_MODULE_SIZE, &[qr_module_dots(self.paper, data)]);
        self.qr_function(QR_ERROR_CORRECTION, &[QR_LEVEL_M]);
        let mut store = Vec::with_capacity(data.len() + 1);
        store.push(b'0');
        store.extend_from_slice(data);
        self.qr_function(QR_STORE, &store);
        self.qr_function(QR_PRINT, b"0");
    }

    /// `GS ( k pL pH cn fn [parameters]`, where pL + 256 × pH counts cn, fn and parameters.
    fn qr_function(&mut self, function: u8, parameters: &[u8]) {
        let [low, high] = u16::try_from(parameters.len() + 2)
            .expect("QR data is capped at QR_MAX_BYTES")
            .to_le_bytes();
        self.raw(&[GS, b'(', b'k', low, high, QR_CN, function]);
        self.raw(parameters);
    }
}

/// An ASCII spelling for characters a code page may lack.
fn ascii_spelling(c: char) -> &'static str {
    match c {
        '‘' | '’' | '‚' | '′' => "'",
        '“' | '”' | '„' | '«' | '»' | '″' => "\"",
        '‐' | '‑' | '‒' | '–' | '—' | '−' => "-",
        '…' => "...",
        '\u{A0}' | '\u{202F}' | '\u{2009}' => " ",
        // Isolation and direction marks have no glyph; printing nothing is right.
        '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => "",
        _ => "?",
    }
}

/// Splits text into lines of at most `width` characters, breaking between words (a word
/// longer than a line is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let line_len = line.chars().count();
        if line_len > 0 && line_len + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.extend(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// What a printer would make of a command stream: a small, strict ESC/POS reader for tests.
/// It knows exactly the commands [`encode`] writes and fails on any other byte, so a test that
/// decodes cleanly also proves the stream has no stray or malformed commands.
#[cfg(test)]
pub mod decode {
    use super::*;

    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct Decoded {
        /// Starts with `ESC @`.
        pub initialized: bool,
        /// Every printed line, decoded to Unicode with the code page selected at the time.
        pub lines: Vec<String>,
        /// Lines printed at a character size larger than normal.
        pub large: Vec<String>,
        /// Each printed line's width in columns of normal font A: a character printed twice as
        /// wide counts two.
        pub line_widths: Vec<usize>,
        /// Code pages selected, in order (`ESC t n`).
        pub code_pages: Vec<u8>,
        /// Payloads of QR codes printed (stored, then printed).
        pub qr_codes: Vec<Vec<u8>>,
        /// QR model and error correction level seen.
        pub qr_model: Option<u8>,
        pub qr_level: Option<u8>,
        /// QR module size in dots (`GS ( k` function 67).
        pub qr_module_dots: Option<u8>,
        /// A cut command follows everything printed.
        pub cut: bool,
    }

    fn decode_byte(page: Option<CodePage>, byte: u8) -> char {
        if byte < 0x80 {
            return byte as char;
        }
        let page = page.expect("a non-ASCII byte before any code page was selected");
        let c = page
            .high_half()
            .chars()
            .nth(usize::from(byte - 0x80))
            .unwrap();
        assert_ne!(c, '\u{FFFD}', "byte {byte:#x} is undefined in {page:?}");
        c
    }

    pub fn decode(bytes: &[u8]) -> Decoded {
        let mut d = Decoded {
            initialized: bytes.starts_with(&INITIALIZE),
            ..Decoded::default()
        };
        let (mut page, mut size, mut line, mut line_large, mut line_width) =
            (None, NORMAL_SIZE, String::new(), false, 0);
        let mut stored_qr: Option<Vec<u8>> = None;
        let mut i = 0;
        let take = |i: &mut usize, n: usize| -> &[u8] {
            let s = bytes
                .get(*i..*i + n)
                .unwrap_or_else(|| panic!("truncated command at {i}"));
            *i += n;
            s
        };
        while i < bytes.len() {
            assert!(!d.cut, "bytes after the cut at {i}");
            let byte = take(&mut i, 1)[0];
            match byte {
                LF => {
                    if line_large {
                        d.large.push(line.clone());
                    }
                    d.lines.push(std::mem::take(&mut line));
                    d.line_widths.push(std::mem::take(&mut line_width));
                    line_large = false;
                }
                ESC => match take(&mut i, 1)[0] {
                    b'@' => {}
                    b't' => {
                        let n = take(&mut i, 1)[0];
                        page = Some(
                            [CodePage::Wpc1252, CodePage::Wpc1254, CodePage::Pc866]
                                .into_iter()
                                .find(|p| p.esc_t() == n)
                                .unwrap_or_else(|| panic!("unknown code page {n}")),
                        );
                        d.code_pages.push(n);
                    }
                    b'a' | b'E' => assert!(take(&mut i, 1)[0] <= 1, "bad flag at {i}"),
                    b'd' => {
                        take(&mut i, 1);
                    }
                    other => panic!("unexpected ESC {other:#x} at {i}"),
                },
                GS => match take(&mut i, 1)[0] {
                    b'!' => size = take(&mut i, 1)[0],
                    b'(' => {
                        assert_eq!(take(&mut i, 1)[0], b'k', "only GS ( k is expected");
                        let len = take(&mut i, 2);
                        let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
                        let body = take(&mut i, len);
                        assert_eq!(body[0], QR_CN);
                        match (body[1], &body[2..]) {
                            (QR_SELECT_MODEL, [model, 0]) => d.qr_model = Some(*model),
                            (QR_MODULE_SIZE, [dots]) => {
                                assert!((1..=16).contains(dots));
                                d.qr_module_dots = Some(*dots);
                            }
                            (QR_ERROR_CORRECTION, [level]) => d.qr_level = Some(*level),
                            (QR_STORE, [b'0', data @ ..]) => stored_qr = Some(data.to_vec()),
                            (QR_PRINT, [b'0']) => d
                                .qr_codes
                                .push(stored_qr.take().expect("QR printed before data was stored")),
                            (f, params) => panic!("unexpected QR function {f} {params:?}"),
                        }
                    }
                    b'V' => {
                        let m = take(&mut i, 1)[0];
                        if m == 65 || m == 66 {
                            take(&mut i, 1);
                        } else {
                            assert!([0, 1, 48, 49].contains(&m), "bad cut {m}");
                        }
                        d.cut = true;
                    }
                    other => panic!("unexpected GS {other:#x} at {i}"),
                },
                control if control < 0x20 || control == 0x7F => {
                    panic!("stray control byte {control:#x} at {i}")
                }
                printable => {
                    line.push(decode_byte(page, printable));
                    line_large |= size != NORMAL_SIZE;
                    line_width += usize::from(size >> 4) + 1;
                }
            }
        }
        assert!(line.is_empty(), "unterminated line {line:?}");
        d
    }
}

#[cfg(test)]
mod tests {
    use super::decode::decode;
    use super::*;
    use crate::model::Class;
    use crate::tickets::catalog::{Catalog, TicketFacts};

    const URL: &str = "https://queue.example.org/t/8f3a9c2e";

    fn texts(code: &str) -> TicketTexts {
        let facts = TicketFacts {
            party_size: 2,
            earliest: "10:40",
            latest: "11:10",
        };
        Catalog::shared().texts_for(code, &facts)
    }

    fn print(code: &str, port: &str) -> Printout {
        print_on(code, port, URL, Paper::Mm80)
    }

    fn print_on(code: &str, port: &str, url: &str, paper: Paper) -> Printout {
        let texts = texts(code);
        encode(&PrintTicket {
            port_name: port,
            number: TicketNumber::new(Class::WalkIn, 42).unwrap(),
            issued_at: "2025-03-14 10:02",
            status_url: url,
            texts: &texts,
            paper,
        })
    }

    #[test]
    fn decoded_ticket_has_the_number_large_the_qr_code_and_a_cut() {
        let printout = print("eng", "San Ysidro");
        let d = decode(&printout.bytes);
        assert!(d.initialized);
        assert_eq!(d.large, ["W-0042"]);
        assert_eq!(d.qr_codes, [URL.as_bytes()]);
        assert_eq!(d.qr_model, Some(QR_MODEL_2));
        assert_eq!(d.qr_level, Some(QR_LEVEL_M));
        assert!(d.cut);
        assert_eq!(&d.lines[..2], ["San Ysidro", "2025-03-14 10:02"]);
        for expected in [
            "Your number",
            "People in your group: 2",
            "4. Keep this ticket. Do not lose it.",
            "Su número",
        ] {
            assert!(
                d.lines.iter().any(|l| l == expected),
                "{expected} in {:#?}",
                d.lines
            );
        }
        assert!(printout.omitted.is_empty());
    }

    #[test]
    fn accents_print_through_windows_1252() {
        let d = decode(&print("spa", "Paso del Norte").bytes);
        assert_eq!(d.code_pages, [CodePage::Wpc1252.esc_t()]);
        assert!(
            d.lines
                .iter()
                .any(|l| l == "5. ¿Tiene preguntas? Pregunte a un"),
            "{:#?}",
            d.lines
        );
        assert!(d.lines.iter().any(|l| l == "   oficial."));
        let pt = decode(&print("por", "Nogales").bytes);
        assert!(
            pt.lines.iter().any(|l| l.contains("Não a perca")),
            "{:#?}",
            pt.lines
        );
    }

    #[test]
    fn russian_prints_in_pc866_then_switches_back_for_spanish() {
        let printout = print("rus", "El Paso");
        let d = decode(&printout.bytes);
        assert_eq!(d.code_pages, [16, 17, 16]);
        assert!(
            d.lines
                .iter()
                .any(|l| l == "4. Сохраните этот талон. Не теряйте его."),
            "{:#?}",
            d.lines
        );
        assert!(
            d.lines
                .iter()
                .any(|l| l == "4. Guarde este papel. No lo pierda.")
        );
        assert!(printout.omitted.is_empty());
    }

    #[test]
    fn turkish_prints_in_windows_1254() {
        let d = decode(&print("tur", "Laredo").bytes);
        assert!(d.code_pages.contains(&48));
        assert!(
            d.lines
                .iter()
                .any(|l| l == "4. Bu fişi saklayın. Kaybetmeyin."),
            "{:#?}",
            d.lines
        );
    }

    #[test]
    fn unprintable_scripts_fall_back_to_spanish_and_english() {
        for (code, tag) in [
            ("arb", "ar"),
            ("cmn", "zh-Hans"),
            ("pan", "pa"),
            ("hin", "hi"),
        ] {
            let printout = print(code, "Calexico");
            let omitted: Vec<_> = printout.omitted.iter().map(|l| l.tag).collect();
            assert_eq!(omitted, [tag]);
            let d = decode(&printout.bytes);
            assert!(d.lines.iter().any(|l| l == "Su número"));
            assert!(d.lines.iter().any(|l| l == "Your number"));
            assert_eq!(d.code_pages, [16], "{code}");
            // Exactly the Spanish speaker's ticket: nothing half-printed is left behind.
            assert_eq!(
                d.lines,
                decode(&print("spa", "Calexico").bytes).lines,
                "{code}"
            );
        }
    }

    #[test]
    fn mayan_language_ticket_asks_for_an_interpreter_in_print() {
        let printout = print("kjb", "Hidalgo");
        let d = decode(&printout.bytes);
        assert!(
            d.lines
                .iter()
                .any(|l| l == "Please ask an officer for an interpreter.")
        );
        assert!(
            d.lines
                .iter()
                .any(|l| l == "Pida a un oficial un intérprete.")
        );
        assert!(printout.omitted.is_empty());
    }

    #[test]
    fn every_printable_catalog_text_is_in_its_code_page() {
        for language in Catalog::shared().languages() {
            let Some(page) = CodePage::for_tag(language.tag) else {
                continue;
            };
            let block = texts(language.code).languages.remove(0);
            let all = [
                &block.title,
                &block.party_size,
                &block.estimate,
                &block.scan_status,
            ]
            .into_iter()
            .chain(block.instructions.iter().map(|i| &i.text));
            for text in all {
                for c in text.chars() {
                    assert!(
                        page.encode_char(c).is_some(),
                        "{}: {c:?} in {text:?}",
                        language.tag
                    );
                }
            }
        }
    }

    #[test]
    fn control_characters_in_a_port_name_cannot_inject_commands() {
        let d = decode(&print("eng", "Evil\u{1b}d\u{5}Port\nX").bytes);
        assert_eq!(d.lines[0], "Evil d Port X");
        assert_eq!(d.large, ["W-0042"]);
    }

    #[test]
    fn every_line_fits_the_paper_with_the_qr_code_and_the_cut_still_there() {
        let port = "Puerto Fronterizo Internacional Paso del Norte";
        for (paper, columns) in [(Paper::Mm80, 42), (Paper::Mm58, 32)] {
            assert_eq!(paper.columns(), columns);
            for code in [
                "spa", "eng", "hat", "por", "rus", "fra", "tur", "quc", "kjb", "arb",
            ] {
                let d = decode(&print_on(code, port, URL, paper).bytes);
                assert_eq!(d.lines.len(), d.line_widths.len());
                for (line, width) in d.lines.iter().zip(&d.line_widths) {
                    assert!(
                        *width <= columns,
                        "{paper:?} {code}: {line:?} is {width} columns"
                    );
                }
                assert_eq!(d.large, ["W-0042"], "{paper:?} {code}");
                assert_eq!(d.qr_codes, [URL.as_bytes()], "{paper:?} {code}");
                assert_eq!(d.qr_module_dots, Some(QR_DOTS_PER_MODULE), "{paper:?}");
                assert!(d.cut, "{paper:?} {code}");
            }
        }
    }

    #[test]
    fn a_58_mm_ticket_wraps_at_32_columns_and_keeps_the_number_large() {
        let wide = decode(&print_on("eng", "Tecate", URL, Paper::Mm80).bytes);
        let narrow = decode(&print_on("eng", "Tecate", URL, Paper::Mm58).bytes);
        assert!(
            wide.lines
                .iter()
                .any(|l| l == "4. Keep this ticket. Do not lose it.")
        );
        assert!(
            narrow
                .lines
                .iter()
                .any(|l| l == "4. Keep this ticket. Do not lose"),
            "{:#?}",
            narrow.lines
        );
        assert!(narrow.lines.iter().any(|l| l == "   it."));
        assert!(narrow.lines.contains(&"-".repeat(32)));
        assert!(!narrow.lines.contains(&"-".repeat(42)));
        assert!(narrow.lines.len() > wide.lines.len());
        // The number at 4 x 4 on both: 6 characters x 4 = 24 columns, 288 dots.
        for d in [&wide, &narrow] {
            let at = d.lines.iter().position(|l| l == "W-0042").unwrap();
            assert_eq!(d.line_widths[at], 24);
        }
    }

    #[test]
    fn a_long_status_url_gets_smaller_qr_modules_to_fit_the_paper() {
        let long = format!("https://queue.example.org/t/{}", "x".repeat(400));
        for paper in Paper::ALL {
            let d = decode(&print_on("eng", "Tecate", &long, paper).bytes);
            assert_eq!(d.qr_codes, [long.as_bytes()]);
            let dots = usize::from(d.qr_module_dots.unwrap());
            let modules = qrcode::QrCode::with_error_correction_level(&long, EcLevel::M)
                .unwrap()
                .width();
            let side = (modules + 2 * QR_QUIET_ZONE) * dots;
            assert!(
                side <= paper.columns() * FONT_A_DOTS,
                "{paper:?}: {side} dots"
            );
            assert!(dots < usize::from(QR_DOTS_PER_MODULE), "{paper:?}: {dots}");
            assert!(d.cut);
        }
        let narrow = decode(&print_on("eng", "Tecate", &long, Paper::Mm58).bytes);
        let wide = decode(&print_on("eng", "Tecate", &long, Paper::Mm80).bytes);
        assert!(narrow.qr_module_dots < wide.qr_module_dots);
    }

    #[test]
    fn qr_version_is_the_one_a_byte_mode_code_needs() {
        for n in [1, 14, 15, 42, 43, 100, 400, 1000, QR_MAX_BYTES] {
            let data = vec![b'x'; n];
            let ours = qr_version(&data).unwrap();
            let theirs = qrcode::QrCode::with_error_correction_level(&data, EcLevel::M)
                .unwrap()
                .version();
            assert_eq!(Version::Normal(ours), theirs, "{n} bytes");
        }
        assert_eq!(qr_version(&vec![b'x'; QR_MAX_BYTES + 1]), None);
    }

    #[test]
    fn paper_widths_are_the_two_rolls_only() {
        assert_eq!(Paper::parse("58"), Some(Paper::Mm58));
        assert_eq!(Paper::parse(" 80 "), Some(Paper::Mm80));
        assert_eq!(Paper::parse("100"), None);
        assert_eq!(Paper::parse(""), None);
        assert_eq!(Paper::from_mm(58), Some(Paper::Mm58));
        assert_eq!(Paper::from_mm(76), None);
        assert_eq!((Paper::Mm58.mm(), Paper::Mm58.dots()), (58, 384));
        assert_eq!((Paper::Mm80.mm(), Paper::Mm80.dots()), (80, 576));
        for paper in Paper::ALL {
            assert!(paper.columns() * FONT_A_DOTS <= paper.dots());
        }
    }

    #[test]
    fn wrap_breaks_between_words_and_cuts_only_overlong_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn code_pages_encode_what_they_hold_and_nothing_else() {
        assert_eq!(CodePage::Wpc1252.encode_char('ñ'), Some(0xF1));
        assert_eq!(CodePage::Wpc1252.encode_char('€'), Some(0x80));
        assert_eq!(CodePage::Wpc1254.encode_char('ş'), Some(0xFE));
        assert_eq!(CodePage::Wpc1254.encode_char('ı'), Some(0xFD));
        assert_eq!(CodePage::Pc866.encode_char('А'), Some(0x80));
        assert_eq!(CodePage::Pc866.encode_char('я'), Some(0xEF));
        assert_eq!(CodePage::Pc866.encode_char('ё'), Some(0xF1));
        assert_eq!(CodePage::Pc866.encode_char('é'), None);
        assert_eq!(CodePage::Wpc1252.encode_char('\u{FFFD}'), None);
        for page in [CodePage::Wpc1252, CodePage::Wpc1254, CodePage::Pc866] {
            assert_eq!(page.high_half().chars().count(), 128, "{page:?}");
        }
    }

    #[test]
    fn an_overlong_url_leaves_the_qr_code_off_instead_of_corrupting_the_stream() {
        let texts = texts("eng");
        let url = format!("https://x.example/{}", "a".repeat(QR_MAX_BYTES));
        let printout = encode(&PrintTicket {
            port_name: "Tecate",
            number: TicketNumber::new(Class::Appointment, 7).unwrap(),
            issued_at: "2025-03-14 10:02",
            status_url: &url,
            texts: &texts,
            paper: Paper::Mm58,
        });
        let d = decode(&printout.bytes);
        assert!(d.qr_codes.is_empty());
        assert_eq!(d.large, ["A-0007"]);
        assert!(d.cut);
    }
}
