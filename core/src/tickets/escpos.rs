//! The printed ticket as ESC/POS bytes, for a network thermal printer (raw TCP, port 9100).
//!
//! A small encoder of our own rather than the `escpos` crate, which owns the I/O: here the
//! bytes are a plain value, so tests can decode them and [`super::printer`] only sends them.
//! The commands are Epson's ESC/POS, which practically every receipt printer on the market
//! understands.
//!
//! # Every language prints
//!
//! A printer's code pages hold Latin and Cyrillic at most, so the ticket is not sent as text:
//! [`super::slip`] draws it (every language shaped, the five pictograms) into a one-bit raster
//! the width of the print head, sent as `GS v 0` images in bands. Then the printer draws the
//! QR code itself (`GS ( k`), feeds and cuts.
//!
//! # Paper width
//!
//! Each port says which roll its printer takes ([`Paper`]): 80 mm (576 dots at 203 dpi) or
//! 58 mm (384 dots). The raster is exactly that wide; the QR code's module size is chosen so
//! that the code fits the paper's columns of font A (12 dots a column).

use qrcode::bits::Bits;
use qrcode::{EcLevel, Version};

use super::catalog::TicketTexts;
use super::number::TicketNumber;
use super::slip::{self, Layout, Raster, Slip};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;

/// `ESC @`: reset the printer, so no style left by another program leaks into our ticket.
const INITIALIZE: [u8; 2] = [ESC, b'@'];
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

    /// Columns of font A text a printer of this roll has at least. An 80 mm printer fits 48
    /// (576 dots) or 42 (512 dots); a 58 mm printer fits 32.
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

/// The smallest QR version (1 to 40) holding `data` in byte mode at level M, the way the
/// printer stores it (`GS ( k` function 80 takes bytes); `None` if none holds it.
pub(crate) fn qr_version(data: &[u8]) -> Option<i16> {
    (1..=40).find(|&v| {
        let mut bits = Bits::new(Version::Normal(v));
        bits.push_byte_data(data).is_ok()
            && bits.max_len(EcLevel::M).is_ok_and(|max| bits.len() <= max)
    })
}

/// Dots per module (1 to [`QR_DOTS_PER_MODULE`]) so that the code of `data`, with its quiet
/// zone, fits the paper's width.
pub(crate) fn qr_module_dots(paper: Paper, data: &[u8]) -> u8 {
    let version = usize::try_from(qr_version(data).unwrap_or(40)).unwrap_or(40);
    let modules = 17 + 4 * version + 2 * QR_QUIET_ZONE;
    u8::try_from(paper.layout_dots() / modules)
        .unwrap_or(u8::MAX)
        .clamp(1, QR_DOTS_PER_MODULE)
}

/// Rows per `GS v 0` image: printers cap one image's height (Epson: 2303 rows, some clones
/// far less) and buffer it whole, so the slip goes in bands.
pub const BAND_ROWS: usize = 256;

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
    /// Whether the ticket has an estimated call window: without one (called, say) the
    /// estimate sentence is left out rather than printed with empty times.
    pub show_estimate: bool,
    /// The roll the port's printer takes: the raster's width, the QR code's size.
    pub paper: Paper,
}

/// The bytes to send, and the slip they draw (for the PNG preview and for tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printout {
    pub bytes: Vec<u8>,
    pub slip: Slip,
    /// Where the parts were drawn.
    pub layout: Layout,
}

/// Draws the ticket and encodes it for an ESC/POS printer: reset, the raster in bands, the QR
/// code centred, a feed and a partial cut.
pub fn encode(ticket: &PrintTicket<'_>) -> Printout {
    let (slip, layout) = slip::render(ticket);
    let mut bytes = Vec::with_capacity(slip.body.width / 8 * slip.body.height + 1024);
    bytes.extend_from_slice(&INITIALIZE);
    raster_bands(&mut bytes, &slip.body);
    if let Some(qr) = &slip.qr {
        bytes.extend_from_slice(&[ESC, b'a', 1]);
        qr_code(&mut bytes, &qr.data, qr.module_dots);
        bytes.extend_from_slice(&[ESC, b'a', 0]);
    }
    bytes.extend_from_slice(&[ESC, b'd', FEED_BEFORE_CUT]);
    bytes.extend_from_slice(&[GS, b'V', CUT_FEED_PARTIAL, 0]);
    Printout {
        bytes,
        slip,
        layout,
    }
}

/// `GS v 0 m xL xH yL yH d…`: a raster image, normal size (m = 0), x bytes across, y rows.
fn raster_bands(out: &mut Vec<u8>, raster: &Raster) {
    let width_bytes = raster.width.div_ceil(8);
    let mut top = 0;
    while top < raster.height {
        let rows = BAND_ROWS.min(raster.height - top);
        let [xl, xh] = u16::try_from(width_bytes).unwrap_or(u16::MAX).to_le_bytes();
        let [yl, yh] = u16::try_from(rows).unwrap_or(u16::MAX).to_le_bytes();
        out.extend_from_slice(&[GS, b'v', b'0', 0, xl, xh, yl, yh]);
        for y in top..top + rows {
            out.extend_from_slice(&raster.packed_row(y));
        }
        top += rows;
    }
}

/// `GS ( k`: the printer draws the QR code itself (model 2, level M).
fn qr_code(out: &mut Vec<u8>, data: &[u8], module_dots: u8) {
    qr_function(out, QR_SELECT_MODEL, &[QR_MODEL_2, 0]);
    qr_function(out, QR_MODULE_SIZE, &[module_dots]);
    qr_function(out, QR_ERROR_CORRECTION, &[QR_LEVEL_M]);
    let mut store = Vec::with_capacity(data.len() + 1);
    store.push(b'0');
    store.extend_from_slice(data);
    qr_function(out, QR_STORE, &store);
    qr_function(out, QR_PRINT, b"0");
}

/// `GS ( k pL pH cn fn [parameters]`, where pL + 256 × pH counts cn, fn and parameters.
fn qr_function(out: &mut Vec<u8>, function: u8, parameters: &[u8]) {
    let [low, high] = u16::try_from(parameters.len() + 2)
        .expect("QR data is capped at QR_MAX_BYTES")
        .to_le_bytes();
    out.extend_from_slice(&[GS, b'(', b'k', low, high, QR_CN, function]);
    out.extend_from_slice(parameters);
}

/// What a printer would make of a command stream: a small, strict ESC/POS reader. It knows
/// exactly the commands [`encode`] writes and fails on any other byte, so a stream that
/// decodes cleanly has no stray or malformed commands. Public so the app's tests can read the
/// bytes its endpoints serve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    pub initialized: bool,
    /// The raster images stacked, if any.
    pub raster: Option<Raster>,
    /// Rows of each `GS v 0` image.
    pub bands: Vec<usize>,
    pub qr_codes: Vec<Vec<u8>>,
    pub qr_model: Option<u8>,
    pub qr_module_dots: Option<u8>,
    pub qr_level: Option<u8>,
    pub cut: bool,
}

/// Reads a stream [`encode`] wrote; `Err` names the first byte it does not understand.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let mut d = Decoded::default();
    let mut i = 0;
    let mut stored_qr: Option<Vec<u8>> = None;
    let take = |i: &mut usize, n: usize| -> Result<&[u8], String> {
        let slice = bytes
            .get(*i..*i + n)
            .ok_or_else(|| format!("truncated command at {i}"))?;
        *i += n;
        Ok(slice)
    };
    while i < bytes.len() {
        let b = take(&mut i, 1)?[0];
        match b {
            ESC => match take(&mut i, 1)?[0] {
                b'@' => d.initialized = true,
                b'a' => {
                    if take(&mut i, 1)?[0] > 2 {
                        return Err(format!("bad alignment at {i}"));
                    }
                }
                b'd' => {
                    take(&mut i, 1)?;
                }
                other => return Err(format!("unexpected ESC {other:#x} at {i}")),
            },
            GS => match take(&mut i, 1)?[0] {
                b'v' => {
                    let head = take(&mut i, 6)?;
                    if head[..2] != [b'0', 0] {
                        return Err(format!("unexpected raster mode {head:?} at {i}"));
                    }
                    let width_bytes = usize::from(u16::from_le_bytes([head[2], head[3]]));
                    let rows = usize::from(u16::from_le_bytes([head[4], head[5]]));
                    let data = take(&mut i, width_bytes * rows)?;
                    let band = Raster::from_packed(width_bytes, rows, data);
                    d.bands.push(rows);
                    match &mut d.raster {
                        Some(raster) => raster.append(&band),
                        None => d.raster = Some(band),
                    }
                }
                b'(' => {
                    if take(&mut i, 1)?[0] != b'k' {
                        return Err(format!("only GS ( k is expected, at {i}"));
                    }
                    let len = take(&mut i, 2)?;
                    let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
                    let body = take(&mut i, len)?;
                    if body[0] != QR_CN {
                        return Err(format!("not a QR function at {i}"));
                    }
                    match (body[1], &body[2..]) {
                        (QR_SELECT_MODEL, [model, 0]) => d.qr_model = Some(*model),
                        (QR_MODULE_SIZE, [dots]) if (1..=16).contains(dots) => {
                            d.qr_module_dots = Some(*dots);
                        }
                        (QR_ERROR_CORRECTION, [level]) => d.qr_level = Some(*level),
                        (QR_STORE, [b'0', data @ ..]) => stored_qr = Some(data.to_vec()),
                        (QR_PRINT, [b'0']) => d.qr_codes.push(
                            stored_qr
                                .take()
                                .ok_or("QR printed before data was stored")?,
                        ),
                        (f, params) => {
                            return Err(format!("unexpected QR function {f} {params:?}"));
                        }
                    }
                }
                b'V' => {
                    let m = take(&mut i, 1)?[0];
                    if m == 65 || m == 66 {
                        take(&mut i, 1)?;
                    } else if ![0, 1, 48, 49].contains(&m) {
                        return Err(format!("bad cut {m}"));
                    }
                    d.cut = true;
                }
                other => return Err(format!("unexpected GS {other:#x} at {i}")),
            },
            other => return Err(format!("stray byte {other:#x} at {i}")),
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Class;
    use crate::tickets::catalog::{Catalog, TicketFacts};
    use crate::tickets::pictograms::Pictogram;
    use crate::tickets::slip::{pictogram_dots, pictogram_raster};

    const URL: &str = "https://queue.example.org/t/8f3a9c2e";

    fn texts(code: &str) -> TicketTexts {
        let facts = TicketFacts {
            party_size: 2,
            earliest: "10:40",
            latest: "11:10",
        };
        Catalog::shared().texts_for(code, &facts)
    }

    fn print_on(code: &str, port: &str, url: &str, paper: Paper) -> Printout {
        let texts = texts(code);
        encode(&PrintTicket {
            port_name: port,
            number: TicketNumber::new(Class::WalkIn, 42).unwrap(),
            issued_at: "2025-03-14 10:02",
            status_url: url,
            texts: &texts,
            show_estimate: true,
            paper,
        })
    }

    fn print(code: &str) -> Printout {
        print_on(code, "San Ysidro", URL, Paper::Mm80)
    }

    #[test]
    fn the_decoded_raster_is_the_paper_wide_then_the_qr_code_and_a_cut() {
        for paper in Paper::ALL {
            let printout = print_on("eng", "San Ysidro", URL, paper);
            let d = decode(&printout.bytes).expect("a clean stream");
            assert!(d.initialized);
            let raster = d.raster.expect("a raster");
            assert_eq!(raster.width, paper.dots(), "{paper:?}");
            assert_eq!(raster, printout.slip.body, "the bytes carry the slip drawn");
            assert!(d.bands.iter().all(|&rows| rows <= BAND_ROWS));
            assert!(d.bands.len() > 1, "a whole slip is taller than one band");
            assert_eq!(d.qr_codes, [URL.as_bytes()]);
            assert_eq!(d.qr_model, Some(QR_MODEL_2));
            assert_eq!(d.qr_level, Some(QR_LEVEL_M));
            assert_eq!(d.qr_module_dots, Some(QR_DOTS_PER_MODULE));
            assert!(d.cut);
            // The number is drawn large: taller than three lines of body text.
            let (top, height) = printout.layout.number;
            assert!(height >= 72, "{paper:?}: number {height} dots high");
            assert!(raster.ink_in(0, top, raster.width, height) > 2000);
        }
    }

    #[test]
    fn the_decoded_raster_has_each_pictogram_where_the_layout_put_it() {
        for paper in Paper::ALL {
            for code in ["spa", "arb", "cmn", "quc"] {
                let printout = print_on(code, "Calexico", URL, paper);
                let raster = decode(&printout.bytes).unwrap().raster.unwrap();
                let side = pictogram_dots(paper);
                let placed: Vec<Pictogram> =
                    printout.layout.pictograms.iter().map(|p| p.0).collect();
                assert_eq!(placed, Pictogram::ALL, "{code}");
                for &(pictogram, x, y) in &printout.layout.pictograms {
                    let drawn = pictogram_raster(pictogram, side);
                    let ink = raster.ink_in(x, y, side, side);
                    assert!(
                        ink > side * side / 20,
                        "{code} {pictogram:?}: {ink} dots of ink"
                    );
                    for py in 0..side {
                        for px in 0..side {
                            if drawn.ink(px, py) {
                                assert!(raster.ink(x + px, y + py), "{code} {pictogram:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Ink columns of the rows a title was drawn in.
    fn title_span(printout: &Printout, tag: &str) -> (usize, usize) {
        let &(_, top, height) = printout
            .layout
            .titles
            .iter()
            .find(|t| t.0 == tag)
            .unwrap_or_else(|| panic!("no {tag} title"));
        printout.slip.body.ink_span(top, top + height).expect("ink")
    }

    #[test]
    fn an_arabic_slip_is_mirrored_right_to_left() {
        let paper = Paper::Mm80;
        let arabic = print("arb");
        let spanish = print("spa");
        let width = paper.dots();
        let side = pictogram_dots(paper);
        // The Arabic title starts at the right edge and does not reach the left half.
        let (left, right) = title_span(&arabic, "ar");
        assert!(right >= width - 20, "Arabic title ends at {right}");
        assert!(left > width / 3, "Arabic title starts at {left}");
        // The Spanish title on the same slip starts at the left edge.
        let (left, right) = title_span(&arabic, "es");
        assert!(left <= 20, "Spanish title starts at {left}");
        assert!(right < width * 2 / 3);
        // Pictograms stand on the right of an Arabic slip, on the left of a Spanish one.
        for &(_, x, _) in &arabic.layout.pictograms {
            assert_eq!(x, width - 8 - side);
        }
        for &(_, x, _) in &spanish.layout.pictograms {
            assert_eq!(x, 8);
        }
        // And the sentences beside them: nothing of a step's text inside the pictogram's
        // column on the other side.
        let raster = &arabic.slip.body;
        let &(_, _, y) = &arabic.layout.pictograms[0];
        assert!(raster.ink_in(8, y, side, side) > 0, "text at the left");
    }

    #[test]
    fn every_translated_language_prints_its_own_text() {
        for code in ["arb", "cmn", "pan", "hin", "rus", "tur", "fra"] {
            let printout = print(code);
            let tags: Vec<_> = printout.layout.titles.iter().map(|t| t.0).collect();
            assert_eq!(tags.len(), 3, "{code}: {tags:?}");
            assert_eq!(&tags[1..], ["es", "en"]);
            // Each title drew ink of its own.
            for tag in tags {
                title_span(&printout, tag);
            }
        }
        let mayan = print("kjb");
        let tags: Vec<_> = mayan.layout.titles.iter().map(|t| t.0).collect();
        assert_eq!(tags, ["es", "en"]);
        assert!(
            mayan.slip.body.height > print("spa").slip.body.height,
            "the interpreter request"
        );
    }

    #[test]
    fn no_language_loses_text_off_the_edge_of_either_roll() {
        for paper in Paper::ALL {
            for language in Catalog::shared().languages() {
                let printout = print_on(language.code, "Puerto de San Ysidro", URL, paper);
                assert_eq!(
                    printout.layout.clipped_dots, 0,
                    "{paper:?} {}: text ran off its column",
                    language.tag
                );
            }
        }
    }

    #[test]
    fn the_call_window_never_wraps_on_58_mm_in_any_language() {
        // Today's window, and one that starts tomorrow and ends the day after (the date
        // shown, as `service::public::window_times` writes it).
        let windows = [("14:05", "14:40"), ("2026-12-09 23:50", "2026-12-10 00:40")];
        for (earliest, latest) in windows {
            for language in Catalog::shared().languages() {
                let facts = TicketFacts {
                    party_size: 3,
                    earliest,
                    latest,
                };
                let texts = Catalog::shared().texts_for(language.code, &facts);
                let printout = encode(&PrintTicket {
                    port_name: "Puerto de San Ysidro",
                    number: TicketNumber::new(Class::WalkIn, 42).unwrap(),
                    issued_at: "2026-12-08 10:02",
                    status_url: URL,
                    texts: &texts,
                    show_estimate: true,
                    paper: Paper::Mm58,
                });
                let lines = &printout.layout.estimates;
                assert_eq!(lines.len(), texts.languages.len(), "{}", language.tag);
                for &(tag, y, height, count) in lines {
                    assert_eq!(
                        count, 1,
                        "{} ({tag}): {earliest}–{latest} wraps",
                        language.tag
                    );
                    // One line of ink, no taller than the title line of its language.
                    assert!(printout.slip.body.ink_in(0, y, Paper::Mm58.dots(), height) > 0);
                    assert!(height <= 48, "{tag}: {height} dots tall");
                }
                assert_eq!(printout.layout.clipped_dots, 0, "{}", language.tag);
            }
        }
        // On 80 mm the English sentence fits whole, words and all.
        let english = print("eng");
        assert_eq!(english.layout.estimates[0].3, 1);
    }

    #[test]
    fn control_characters_in_a_port_name_never_reach_the_printer() {
        let printout = print_on("eng", "Evil\u{1b}d\u{5}Port", URL, Paper::Mm80);
        let d = decode(&printout.bytes).expect("no stray command");
        assert!(d.cut);
    }

    #[test]
    fn the_png_preview_is_exactly_the_dots_that_print() {
        for paper in Paper::ALL {
            let printout = print_on("arb", "Nogales", URL, paper);
            let png = printout.slip.to_png();
            let decoder = png::Decoder::new(std::io::Cursor::new(png));
            let mut reader = decoder.read_info().unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut pixels).unwrap();
            let full = printout.slip.full_raster();
            assert_eq!(info.width as usize, paper.dots());
            assert_eq!(info.height as usize, full.height);
            for y in 0..full.height {
                for x in 0..full.width {
                    assert_eq!(
                        pixels[y * full.width + x] == 0,
                        full.ink(x, y),
                        "({x}, {y})"
                    );
                }
            }
            // The body is on top, unchanged; the QR code below it has ink.
            let body = &printout.slip.body;
            assert_eq!(full.ink_span(0, body.height), body.ink_span(0, body.height));
            assert!(full.ink_in(0, body.height, full.width, full.height - body.height) > 1000);
        }
    }

    #[test]
    fn a_long_status_url_gets_smaller_qr_modules_to_fit_the_paper() {
        let long = format!("https://queue.example.org/t/{}", "x".repeat(400));
        for paper in Paper::ALL {
            let d = decode(&print_on("eng", "Tecate", &long, paper).bytes).unwrap();
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
    fn an_overlong_url_leaves_the_qr_code_off_instead_of_corrupting_the_stream() {
        let texts = texts("eng");
        let url = format!("https://x.example/{}", "a".repeat(QR_MAX_BYTES));
        let printout = encode(&PrintTicket {
            port_name: "Tecate",
            number: TicketNumber::new(Class::Appointment, 7).unwrap(),
            issued_at: "2025-03-14 10:02",
            status_url: &url,
            texts: &texts,
            show_estimate: true,
            paper: Paper::Mm58,
        });
        let d = decode(&printout.bytes).unwrap();
        assert!(d.qr_codes.is_empty());
        assert!(d.cut);
    }

    /// Writes the previews an officer would see to `$PORTQUEUE_SLIP_PREVIEWS/<lang>-<mm>.png`,
    /// for looking at them by eye: `PORTQUEUE_SLIP_PREVIEWS=/tmp/slips cargo test -p
    /// portqueue-core write_slip_previews -- --ignored`.
    #[test]
    #[ignore = "writes files; run by hand to look at the slips"]
    fn write_slip_previews() {
        let dir = std::env::var("PORTQUEUE_SLIP_PREVIEWS").expect("set PORTQUEUE_SLIP_PREVIEWS");
        std::fs::create_dir_all(&dir).unwrap();
        for code in ["arb", "cmn", "pan", "hin", "quc", "spa", "rus"] {
            for paper in Paper::ALL {
                let printout = print_on(code, "Puerto de San Ysidro", URL, paper);
                let path = format!("{dir}/{code}-{}mm.png", paper.mm());
                std::fs::write(path, printout.slip.to_png()).unwrap();
            }
        }
    }
}
