//! The printed ticket as a picture: every language shaped and drawn into a one-bit raster the
//! width of the printer's head, with the five pictograms.
//!
//! A thermal printer's code pages hold Latin and Cyrillic at most; Arabic needs joining forms
//! and right-to-left order, Hindi and Punjabi need conjuncts, Chinese needs thousands of glyphs.
//! So the slip is drawn here, like the browser draws the HTML ticket: text is shaped by
//! cosmic-text (HarfBuzz rules, bidi, line breaking) with the Noto fonts in `core/fonts/`, the
//! pictograms by resvg from `static/pictograms/*.svg`, then every pixel becomes ink or not.
//! [`super::escpos`] sends the raster as `GS v 0` images; [`Slip::to_png`] gives the officer
//! (and the tests) the same pixels to look at.
//!
//! Pure: no files, no network; the fonts are compiled in.

use std::sync::{Mutex, OnceLock};

use cosmic_text::{
    Align, Attrs, Buffer, Color, Family, FontSystem, Metrics, Shaping, SwashCache, Weight, fontdb,
};
use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};

use super::catalog::LanguageTexts;
use super::escpos::{Paper, PrintTicket, QR_MAX_BYTES, qr_module_dots, qr_version};
use super::pictograms::Pictogram;

/// The fonts the slip draws with, compiled in (see `core/fonts/README.md`).
const FONTS: [&[u8]; 6] = [
    include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansDevanagari-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansGurmukhi-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansSC-Regular.otf"),
];

/// Blank dots kept on each side: the head's outermost dots print unevenly on many printers.
const MARGIN: usize = 8;
/// A coverage at or above this (of 255) prints as ink. Half keeps strokes their drawn weight.
const INK_THRESHOLD: u8 = 128;
/// Body text: 24 dots (3 mm) high, like the printer's own font A.
const BODY_PX: f32 = 24.0;
const TITLE_PX: f32 = 30.0;
const PORT_PX: f32 = 28.0;
/// The ticket number, as large as fits (about 14 mm high on both rolls).
const NUMBER_PX: f32 = 112.0;
/// Space between a pictogram and its sentences.
const GUTTER: usize = 12;
/// Blank rows fed after the QR code in the preview, as the printer feeds before the cut.
pub const FEED_DOTS: usize = 2 * 30;

/// A one-bit picture, one byte per dot (1 = ink), rows top to bottom.
#[derive(Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    dots: Vec<u8>,
}

impl std::fmt::Debug for Raster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Raster({}x{})", self.width, self.height)
    }
}

impl Raster {
    /// A blank raster.
    pub fn new(width: usize, height: usize) -> Raster {
        Raster {
            width,
            height,
            dots: vec![0; width * height],
        }
    }

    /// Whether the dot at (x, y) is ink; outside the raster is blank.
    pub fn ink(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.dots[y * self.width + x] != 0
    }

    /// Sets a dot to ink; outside the raster is ignored.
    pub fn set(&mut self, x: usize, y: usize) {
        if x < self.width && y < self.height {
            self.dots[y * self.width + x] = 1;
        }
    }

    /// Counts the ink dots in a rectangle (clipped to the raster).
    pub fn ink_in(&self, x0: usize, y0: usize, width: usize, height: usize) -> usize {
        let (x1, y1) = ((x0 + width).min(self.width), (y0 + height).min(self.height));
        (y0.min(y1)..y1)
            .map(|y| (x0.min(x1)..x1).filter(|&x| self.ink(x, y)).count())
            .sum()
    }

    /// The leftmost and rightmost ink columns within rows `y0..y1`, if any.
    pub fn ink_span(&self, y0: usize, y1: usize) -> Option<(usize, usize)> {
        let columns: Vec<usize> = (0..self.width)
            .filter(|&x| (y0..y1.min(self.height)).any(|y| self.ink(x, y)))
            .collect();
        Some((*columns.first()?, *columns.last()?))
    }

    /// One row packed eight dots a byte, leftmost dot in the high bit (the ESC/POS order).
    pub fn packed_row(&self, y: usize) -> Vec<u8> {
        let mut row = vec![0u8; self.width.div_ceil(8)];
        for x in 0..self.width {
            if self.ink(x, y) {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
        row
    }

    /// A raster from packed rows (the inverse of [`Raster::packed_row`]).
    pub fn from_packed(width_bytes: usize, height: usize, data: &[u8]) -> Raster {
        let mut raster = Raster::new(width_bytes * 8, height);
        for y in 0..height {
            for x in 0..width_bytes * 8 {
                if data[y * width_bytes + x / 8] & (0x80 >> (x % 8)) != 0 {
                    raster.set(x, y);
                }
            }
        }
        raster
    }

    /// Appends another raster of the same width below this one.
    pub fn append(&mut self, other: &Raster) {
        assert_eq!(self.width, other.width, "rasters of one slip share a width");
        self.dots.extend_from_slice(&other.dots);
        self.height += other.height;
    }

    fn grow_to(&mut self, height: usize) {
        if height > self.height {
            self.dots.resize(self.width * height, 0);
            self.height = height;
        }
    }

    /// The raster as a black-on-white PNG (grayscale, one byte a dot).
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let width = u32::try_from(self.width).unwrap_or(u32::MAX);
            let height = u32::try_from(self.height.max(1)).unwrap_or(u32::MAX);
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let pixels: Vec<u8> = if self.height == 0 {
                vec![255; self.width]
            } else {
                self.dots
                    .iter()
                    .map(|&d| if d != 0 { 0 } else { 255 })
                    .collect()
            };
            let mut writer = encoder
                .write_header()
                .expect("writing a PNG header into memory cannot fail");
            writer
                .write_image_data(&pixels)
                .expect("the pixel count matches the header");
        }
        out
    }
}

/// The QR code the printer draws itself (`GS ( k`), after the raster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipQr {
    pub data: Vec<u8>,
    /// Dots per module, chosen so the code and its quiet zone fit the paper.
    pub module_dots: u8,
}

/// The whole slip: the drawn part, then the QR code the printer draws, then the cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub paper: Paper,
    pub body: Raster,
    pub qr: Option<SlipQr>,
}

impl Slip {
    /// Everything the paper shows, as one raster: the body, the QR code as the printer draws
    /// it (byte mode, level M, the same module size, centred with its quiet zone) and the feed
    /// before the cut.
    pub fn full_raster(&self) -> Raster {
        let mut all = self.body.clone();
        if let Some(qr) = &self.qr {
            all.append(&qr_raster(self.paper, qr));
        }
        all.append(&Raster::new(self.paper.dots(), FEED_DOTS));
        all
    }

    /// The preview an officer sees: exactly the dots that print, as a PNG.
    pub fn to_png(&self) -> Vec<u8> {
        self.full_raster().to_png()
    }
}

/// The QR code drawn the way the printer draws it from `GS ( k`: byte mode, level M, the
/// smallest version that holds the data.
fn qr_raster(paper: Paper, qr: &SlipQr) -> Raster {
    let dots = usize::from(qr.module_dots);
    let code = qr_version(&qr.data).and_then(|v| {
        let mut bits = Bits::new(Version::Normal(v));
        bits.push_byte_data(&qr.data).ok()?;
        bits.push_terminator(EcLevel::M).ok()?;
        QrCode::with_bits(bits, EcLevel::M).ok()
    });
    let Some(code) = code else {
        return Raster::new(paper.dots(), 0);
    };
    let modules = code.width();
    let quiet = 4;
    let side = (modules + 2 * quiet) * dots;
    let mut raster = Raster::new(paper.dots(), side);
    let left = paper.dots().saturating_sub(side) / 2;
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (mx, my) = (i % modules + quiet, i / modules + quiet);
            for y in my * dots..(my + 1) * dots {
                for x in mx * dots..(mx + 1) * dots {
                    raster.set(left + x, y);
                }
            }
        }
    }
    raster
}

/// The font family for a language's script (see `core/fonts/README.md`).
fn family(tag: &str) -> &'static str {
    match tag {
        "ar" => "Noto Sans Arabic",
        "hi" => "Noto Sans Devanagari",
        "pa" => "Noto Sans Gurmukhi",
        "zh-Hans" => "Noto Sans CJK SC",
        _ => "Noto Sans",
    }
}

/// How much larger a script is set than Latin at the same size: Arabic, Devanagari and
/// Gurmukhi letters sit small in their em (tall marks above and below), and at 3 mm on a
/// thermal head they would be the hardest text on the slip to read.
fn script_scale(tag: &str) -> f32 {
    match tag {
        "ar" => 1.2,
        "hi" | "pa" => 1.15,
        _ => 1.0,
    }
}

/// The shaper and glyph rasteriser, with only our fonts: built once (parsing the fonts takes
/// a moment) and shared by every slip.
struct Typesetter {
    fonts: FontSystem,
    glyphs: SwashCache,
    /// Ink dots that fell outside their column since the last slip began (see
    /// [`Layout::clipped_dots`]).
    clipped: usize,
}

fn typesetter() -> &'static Mutex<Typesetter> {
    static SHARED: OnceLock<Mutex<Typesetter>> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut db = fontdb::Database::new();
        for font in FONTS {
            db.load_font_data(font.to_vec());
        }
        db.set_sans_serif_family("Noto Sans");
        Mutex::new(Typesetter {
            fonts: FontSystem::new_with_locale_and_db("en".to_owned(), db),
            glyphs: SwashCache::new(),
            clipped: 0,
        })
    })
}

/// How a text block sits in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Where its own direction starts: the left for Spanish, the right for Arabic.
    Natural,
    Center,
}

/// A text block to draw.
#[derive(Clone, Copy)]
struct Text<'a> {
    text: &'a str,
    tag: &'a str,
    px: f32,
    bold: bool,
    place: Place,
}

impl Typesetter {
    /// Shapes `text` into lines at most `width` dots wide and draws it with its top at `top`,
    /// its column starting at `left`. Returns the height drawn.
    fn draw(
        &mut self,
        canvas: &mut Raster,
        text: &Text<'_>,
        left: usize,
        top: usize,
        width: usize,
    ) -> usize {
        let mut y = top;
        for line in self.break_lines(text, width) {
            let line = Text {
                text: &line,
                ..*text
            };
            y += self.draw_line(canvas, &line, left, y, width);
        }
        y - top
    }

    /// Breaks `text` into lines that fit `width`, between words, measuring each line shaped.
    ///
    /// cosmic-text wraps by itself, but a right-to-left line holding left-to-right numbers
    /// ("... بين 10:40 و 11:10") came out wider than its width and lost its start off the
    /// edge; measuring whole candidate lines cannot. A single word wider than the column
    /// (a Chinese sentence has no spaces) is left for cosmic-text to break between glyphs,
    /// which it does correctly within one direction.
    fn break_lines(&mut self, text: &Text<'_>, width: usize) -> Vec<String> {
        let fits = |t: &mut Typesetter, candidate: &str| {
            t.width_of(&Text {
                text: candidate,
                ..*text
            }) <= width as f32
        };
        if fits(self, text.text) {
            return vec![text.text.to_owned()];
        }
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.text.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if line.is_empty() || fits(self, &candidate) {
                line = candidate;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            }
        }
        lines.push(line);
        lines
    }

    /// Draws one line (or one unbreakable run, wrapped between glyphs) of text.
    fn draw_line(
        &mut self,
        canvas: &mut Raster,
        text: &Text<'_>,
        left: usize,
        top: usize,
        width: usize,
    ) -> usize {
        let buffer = self.layout(text, width);
        let height = buffer_height(&buffer);
        canvas.grow_to(top + height);
        let mut clipped = 0;
        buffer.draw(
            &mut self.fonts,
            &mut self.glyphs,
            Color::rgb(0, 0, 0),
            |x, y, w, h, color| {
                if color.a() < INK_THRESHOLD {
                    return;
                }
                if x < 0 || y < 0 {
                    clipped += (w * h) as usize;
                    return;
                }
                let (x, y) = (left + x as usize, top + y as usize);
                for dy in 0..h as usize {
                    for dx in 0..w as usize {
                        // Clip to the column: nothing spills into the margin or the pictogram.
                        if x + dx < left + width {
                            canvas.set(x + dx, y + dy);
                        } else {
                            clipped += 1;
                        }
                    }
                }
            },
        );
        self.clipped += clipped;
        height
    }

    fn layout(&mut self, text: &Text<'_>, width: usize) -> Buffer {
        let px = text.px * script_scale(text.tag);
        let metrics = Metrics::new(px, (px * 1.35).ceil());
        let mut buffer = Buffer::new(&mut self.fonts, metrics);
        let attrs = Attrs::new()
            .family(Family::Name(family(text.tag)))
            .weight(if text.bold {
                Weight::BOLD
            } else {
                Weight::NORMAL
            });
        let align = match text.place {
            Place::Natural => None,
            Place::Center => Some(Align::Center),
        };
        // Fluent's isolation marks (U+2066-U+2069) keep a value like `W-0042` whole in
        // right-to-left HTML; here they made the line breaker misjudge Arabic lines holding
        // times, so they go: the slip's values are digits and times, which the bidi rules
        // already keep left to right.
        // A right-to-left language's line starts with a right-to-left mark, so a line that
        // happens to hold only a time still runs (and aligns) right to left.
        let rtl = crate::languages::LANGUAGES
            .iter()
            .any(|l| l.tag == text.tag && l.rtl);
        let plain: String = rtl
            .then_some('\u{200F}')
            .into_iter()
            .chain(
                text.text
                    .chars()
                    .filter(|c| !('\u{2066}'..='\u{2069}').contains(c)),
            )
            .collect();
        buffer.set_size(&mut self.fonts, Some(width as f32), None);
        buffer.set_text(&mut self.fonts, &plain, &attrs, Shaping::Advanced, align);
        buffer.shape_until_scroll(&mut self.fonts, false);
        buffer
    }

    /// The width of `text` on one line, unwrapped.
    fn width_of(&mut self, text: &Text<'_>) -> f32 {
        let buffer = self.layout(text, 100_000);
        buffer.layout_runs().map(|r| r.line_w).fold(0.0, f32::max)
    }

    /// Glyphs that are missing from every font (drawn as the empty `.notdef` box), with the
    /// text they stand for: a font subset that lost characters the catalogs need.
    fn missing_glyphs(&mut self, text: &str, tag: &str) -> Vec<String> {
        let text = Text {
            text,
            tag,
            px: BODY_PX,
            bold: false,
            place: Place::Natural,
        };
        let buffer = self.layout(&text, 100_000);
        buffer
            .layout_runs()
            .flat_map(|run| {
                run.glyphs
                    .iter()
                    .filter(|g| g.glyph_id == 0)
                    .map(|g| run.text[g.start..g.end].to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

fn buffer_height(buffer: &Buffer) -> usize {
    buffer
        .layout_runs()
        .map(|run| run.line_top + run.line_height)
        .fold(0.0, f32::max)
        .ceil() as usize
}

/// The pictogram drawn `size` dots square, one bit a dot (dark and opaque is ink).
pub fn pictogram_raster(pictogram: Pictogram, size: usize) -> Raster {
    use resvg::{tiny_skia, usvg};
    let mut raster = Raster::new(size, size);
    let Ok(tree) = usvg::Tree::from_str(pictogram.svg(), &usvg::Options::default()) else {
        return raster;
    };
    let Some(mut pixmap) = tiny_skia::Pixmap::new(size as u32, size as u32) else {
        return raster;
    };
    let scale = size as f32 / tree.size().width().max(tree.size().height());
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    for (i, p) in pixmap.pixels().iter().enumerate() {
        // Premultiplied: a dark opaque dot has high alpha and low colour.
        let luminance = (u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue())) / 3;
        if p.alpha() >= INK_THRESHOLD && luminance < u16::from(INK_THRESHOLD) {
            raster.set(i % size, i / size);
        }
    }
    raster
}

/// The side of a pictogram on this paper: 9 mm on 80 mm paper, 8 mm on 58 mm.
pub fn pictogram_dots(paper: Paper) -> usize {
    match paper {
        Paper::Mm80 => 72,
        Paper::Mm58 => 64,
    }
}

/// Where each part of a slip was drawn, for tests and for checking a layout by eye.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Top row and height of the number.
    pub number: (usize, usize),
    /// Each language's title: its BCP 47 tag, top row and height.
    pub titles: Vec<(&'static str, usize, usize)>,
    /// Each pictogram: left column, top row (its side is [`pictogram_dots`]).
    pub pictograms: Vec<(Pictogram, usize, usize)>,
    /// Ink dots of text that fell outside their column and were not printed: zero unless a
    /// line was laid out wider than its column (the tests hold every language to zero).
    pub clipped_dots: usize,
    /// Each language's call-window line: its tag, top row, height and number of lines
    /// (always 1 when the ticket has a window).
    pub estimates: Vec<(&'static str, usize, usize, usize)>,
}

/// Draws the ticket. Languages come in [`super::catalog::Catalog::languages_for`] order; the
/// first decides which side the pictograms stand on (the right for Arabic).
pub fn render(ticket: &PrintTicket<'_>) -> (Slip, Layout) {
    let paper = ticket.paper;
    let width = paper.dots();
    let column = width - 2 * MARGIN;
    let mut canvas = Raster::new(width, 0);
    let mut layout = Layout::default();
    let mut typesetter = typesetter()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let t = &mut *typesetter;
    t.clipped = 0;
    let languages = &ticket.texts.languages;
    let rtl = languages.first().is_some_and(|l| l.language.rtl);
    let mut y = 4;

    let latin = |text, px, bold| Text {
        text,
        tag: "en",
        px,
        bold,
        place: Place::Center,
    };
    // Control characters never reach the printer as bytes here, but a stray one would shape
    // as a box: show them as spaces, like the text encoder did.
    let port_name: String = ticket
        .port_name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    y += t.draw(
        &mut canvas,
        &latin(&port_name, PORT_PX, true),
        MARGIN,
        y,
        column,
    );
    y += t.draw(
        &mut canvas,
        &latin(ticket.issued_at, BODY_PX, false),
        MARGIN,
        y,
        column,
    );

    for block in languages {
        let title = Text {
            text: &block.title,
            tag: block.language.tag,
            px: TITLE_PX,
            bold: true,
            place: Place::Natural,
        };
        let height = t.draw(&mut canvas, &title, MARGIN, y, column);
        layout.titles.push((block.language.tag, y, height));
        y += height;
    }

    // The number: as large as fits on one line.
    let number = ticket.number.to_string();
    let mut px = NUMBER_PX;
    while px > BODY_PX && t.width_of(&latin(&number, px, true)) > column as f32 {
        px -= 8.0;
    }
    let height = t.draw(&mut canvas, &latin(&number, px, true), MARGIN, y, column);
    layout.number = (y, height);
    y += height + 4;

    if ticket.texts.needs_interpreter {
        rule(&mut canvas, y, 3);
        y += 8;
        for block in languages {
            if let Some(request) = &block.interpreter {
                y += t.draw(
                    &mut canvas,
                    &natural(request, block, TITLE_PX * 0.9, true),
                    MARGIN,
                    y,
                    column,
                );
            }
        }
        rule(&mut canvas, y, 3);
        y += 8;
    }

    for block in languages {
        rule(&mut canvas, y + 3, 1);
        y += 8;
        y += t.draw(
            &mut canvas,
            &natural(&block.party_size, block, BODY_PX, false),
            MARGIN,
            y,
            column,
        );
        if ticket.show_estimate {
            // The window is read at a glance and must never break over two lines: the
            // sentence when it fits on one, else the times alone ("10:40–11:10", the date
            // only when not today), smaller if even that is too wide.
            let sentence = natural(&block.estimate, block, BODY_PX, false);
            let mut line = sentence;
            if let Some(window) = &block.estimate_window {
                if t.break_lines(&line, column).len() > 1 {
                    let mut px = BODY_PX;
                    while px > 12.0
                        && t.width_of(&natural(window, block, px, false)) > column as f32
                    {
                        px -= 2.0;
                    }
                    line = natural(window, block, px, false);
                }
            }
            let lines = t.break_lines(&line, column).len();
            let height = t.draw(&mut canvas, &line, MARGIN, y, column);
            layout
                .estimates
                .push((block.language.tag, y, height, lines));
            y += height;
        }
    }

    rule(&mut canvas, y + 3, 2);
    y += 12;
    let side = pictogram_dots(paper);
    let text_width = column - side - GUTTER;
    let (picture_x, text_x) = if rtl {
        (width - MARGIN - side, MARGIN)
    } else {
        (MARGIN, MARGIN + side + GUTTER)
    };
    for (i, &pictogram) in Pictogram::ALL.iter().enumerate() {
        let picture = pictogram_raster(pictogram, side);
        canvas.grow_to(y + side);
        for py in 0..side {
            for px in 0..side {
                if picture.ink(px, py) {
                    canvas.set(picture_x + px, y + py);
                }
            }
        }
        layout.pictograms.push((pictogram, picture_x, y));
        let mut text_y = y;
        for block in languages {
            let sentence = &block.instructions[i].text;
            text_y += t.draw(
                &mut canvas,
                &natural(sentence, block, BODY_PX, false),
                text_x,
                text_y,
                text_width,
            );
        }
        y = text_y.max(y + side) + 10;
    }

    rule(&mut canvas, y, 2);
    y += 8;
    for block in languages {
        y += t.draw(
            &mut canvas,
            &natural(&block.scan_status, block, BODY_PX * 0.9, false),
            MARGIN,
            y,
            column,
        );
    }
    canvas.grow_to(y + 8);
    layout.clipped_dots = t.clipped;

    let qr = (ticket.status_url.len() <= QR_MAX_BYTES).then(|| SlipQr {
        data: ticket.status_url.as_bytes().to_vec(),
        module_dots: qr_module_dots(paper, ticket.status_url.as_bytes()),
    });
    (
        Slip {
            paper,
            body: canvas,
            qr,
        },
        layout,
    )
}

fn natural<'a>(text: &'a str, block: &'a LanguageTexts, px: f32, bold: bool) -> Text<'a> {
    Text {
        text,
        tag: block.language.tag,
        px,
        bold,
        place: Place::Natural,
    }
}

/// A horizontal line across the column, `thickness` dots.
fn rule(canvas: &mut Raster, y: usize, thickness: usize) {
    canvas.grow_to(y + thickness);
    for row in y..y + thickness {
        for x in MARGIN..canvas.width - MARGIN {
            canvas.set(x, row);
        }
    }
}

/// Characters of `text` that no font of the slip can draw.
pub fn missing_glyphs(text: &str, tag: &str) -> Vec<String> {
    typesetter()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .missing_glyphs(text, tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::catalog::Catalog;

    /// Every message of every catalog, read from its Fluent source (values only).
    fn catalog_texts(tag: &str) -> Vec<String> {
        let path = format!("{}/i18n/{tag}.ftl", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
            .map(|l| {
                // Drop `{ $variable }` placeables: their values are digits and Latin.
                let value = l.split_once(" = ").unwrap().1;
                let mut out = String::new();
                let mut depth = 0;
                for c in value.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ if depth == 0 => out.push(c),
                        _ => {}
                    }
                }
                out
            })
            .collect()
    }

    #[test]
    fn every_catalog_text_has_glyphs() {
        for language in Catalog::shared().languages() {
            for text in catalog_texts(language.tag) {
                let missing = missing_glyphs(&text, language.tag);
                assert!(
                    missing.is_empty(),
                    "{}: {missing:?} in {text:?}: run tools/subset-fonts",
                    language.tag
                );
            }
        }
        // And the .notdef check does catch a character no font has.
        assert!(
            !missing_glyphs("\u{10D0}", "en").is_empty(),
            "Georgian is not shipped"
        );
    }

    #[test]
    fn a_pictogram_draws_ink_and_white() {
        for pictogram in Pictogram::ALL {
            let r = pictogram_raster(pictogram, 64);
            let ink = r.ink_in(0, 0, 64, 64);
            assert!(ink > 200 && ink < 64 * 64 / 2, "{pictogram:?}: {ink}");
        }
    }

    #[test]
    fn packed_rows_round_trip() {
        let mut r = Raster::new(16, 2);
        r.set(0, 0);
        r.set(9, 1);
        assert_eq!(r.packed_row(0), [0x80, 0]);
        assert_eq!(r.packed_row(1), [0, 0x40]);
        let data: Vec<u8> = (0..2).flat_map(|y| r.packed_row(y)).collect();
        assert_eq!(Raster::from_packed(2, 2, &data), r);
    }
}
