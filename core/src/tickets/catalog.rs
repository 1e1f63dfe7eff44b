//! The message catalog: every short text of the ticket, the status page and the board, in each
//! language we ship (Fluent files in `core/i18n/<bcp47-tag>.ftl`, embedded at build time).
//!
//! A translation is text written for this project. Each file opens with `# source:` (who wrote
//! it, and how) and `# reviewed-by:` (empty until a native speaker has checked it), which
//! [`Catalog::review_state`] reads back so the app can show officers what they are handing out.
//! Nothing is machine-translated at run time: a language without a file here gets pictograms,
//! Spanish and English, and the ticket asks the officer for an interpreter
//! (`docs/design/languages.md`).

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use super::pictograms::Pictogram;
use crate::languages::{self, Language};

/// The shipped catalogs, by BCP 47 tag (the tag in `languages::LANGUAGES`).
const SHIPPED: &[(&str, &str)] = &[
    ("es", include_str!("../../i18n/es.ftl")),
    ("en", include_str!("../../i18n/en.ftl")),
    ("ht", include_str!("../../i18n/ht.ftl")),
    ("pt", include_str!("../../i18n/pt.ftl")),
    ("ru", include_str!("../../i18n/ru.ftl")),
    ("zh-Hans", include_str!("../../i18n/zh-Hans.ftl")),
    ("pa", include_str!("../../i18n/pa.ftl")),
    ("fr", include_str!("../../i18n/fr.ftl")),
    ("ar", include_str!("../../i18n/ar.ftl")),
    ("tr", include_str!("../../i18n/tr.ftl")),
    ("hi", include_str!("../../i18n/hi.ftl")),
];

/// Where a missing message is looked for next, in this order (`docs/design/languages.md`):
/// Spanish, which most applicants who read anything read, then English. Never the message id.
const FALLBACK: [&str; 2] = ["spa", "eng"];

/// A value for a message's variable. Counts are numbers, so each language's plural rules
/// (`{ $count -> [one] ... *[other] ... }`) can choose the right form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(text)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Arg::Text(text)
    }
}

impl From<u32> for Arg<'_> {
    fn from(n: u32) -> Self {
        Arg::Number(i64::from(n))
    }
}

/// The languages every ticket carries besides the applicant's: officers at US land ports
/// read these, and Spanish is the language most applicants who read anything read.
const ALWAYS: [&str; 2] = ["spa", "eng"];

/// Who wrote a catalog and who has checked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewState {
    /// The file's `# source:` line.
    pub source: &'static str,
    /// The file's `# reviewed-by:` line; `None` while no native speaker has reviewed it.
    pub reviewed_by: Option<&'static str>,
}

/// The facts a ticket's sentences mention, already formatted for people (local times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketFacts<'a> {
    pub party_size: u32,
    /// Start of the estimated call window, e.g. `10:40`.
    pub earliest: &'a str,
    /// End of the estimated call window, e.g. `11:10`.
    pub latest: &'a str,
}

/// One instruction: its picture and its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub pictogram: Pictogram,
    pub text: String,
}

/// A ticket's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageTexts {
    /// The language (its `tag` goes in `lang`, `rtl` decides `dir`).
    pub language: &'static Language,
    pub title: String,
    pub party_size: String,
    pub estimate: String,
    /// The window alone, `10:40–11:10` (no words): what a narrow slip prints when the
    /// sentence would not fit on one line. `None` without a window.
    pub estimate_window: Option<String>,
    /// One per pictogram, in [`Pictogram::ALL`] order.
    pub instructions: Vec<Instruction>,
    pub scan_status: String,
    /// "Please ask an officer for an interpreter", when the applicant's language has no text.
    pub interpreter: Option<String>,
}

/// Everything a ticket says, in the languages it says it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTexts {
    /// The applicant's language first (when we have text for it), then Spanish, then English.
    pub languages: Vec<LanguageTexts>,
    /// The applicant's language has no text of ours: an officer must find an interpreter.
    pub needs_interpreter: bool,
}

struct Entry {
    language: &'static Language,
    text: &'static str,
    bundle: FluentBundle<FluentResource>,
}

/// All shipped catalogs, parsed once. Build it with [`Catalog::new`] or share
/// [`Catalog::shared`].
pub struct Catalog {
    entries: Vec<Entry>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new()
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tags: Vec<_> = self.entries.iter().map(|e| e.language.tag).collect();
        f.debug_struct("Catalog").field("languages", &tags).finish()
    }
}

impl Catalog {
    /// Parses the shipped catalogs.
    ///
    /// # Panics
    /// If a shipped file does not parse or names a language missing from `LANGUAGES`: both are
    /// mistakes in this repository, caught by this module's tests before anything ships.
    pub fn new() -> Self {
        Catalog::from_sources(SHIPPED)
    }

    /// Parses catalogs given as (BCP 47 tag, Fluent text); [`Catalog::new`] passes the shipped
    /// ones. Tests pass altered copies (a message removed, say) to check the fallbacks.
    ///
    /// # Panics
    /// As [`Catalog::new`].
    pub fn from_sources(sources: &[(&str, &'static str)]) -> Self {
        let entries = sources
            .iter()
            .map(|&(tag, text)| {
                let language = languages::LANGUAGES
                    .iter()
                    .find(|l| l.tag == tag)
                    .unwrap_or_else(|| panic!("catalog {tag}.ftl names no known language"));
                let resource = FluentResource::try_new(text.to_owned())
                    .unwrap_or_else(|(_, errors)| panic!("{tag}.ftl does not parse: {errors:?}"));
                let langid: LanguageIdentifier = tag
                    .parse()
                    .unwrap_or_else(|e| panic!("{tag} is not BCP 47: {e}"));
                let mut bundle = FluentBundle::new_concurrent(vec![langid]);
                // Isolation marks (U+2068/U+2069) keep a left-to-right value such as `W-0042`
                // whole inside right-to-left text, so they stay for Arabic; elsewhere they would
                // only be stray bytes on a printer and noise in tests.
                bundle.set_use_isolating(language.rtl);
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("{tag}.ftl: {errors:?}"));
                Entry {
                    language,
                    text,
                    bundle,
                }
            })
            .collect();
        Catalog { entries }
    }

    /// The catalogs, parsed on first use and shared by every request.
    pub fn shared() -> &'static Catalog {
        static SHARED: OnceLock<Catalog> = OnceLock::new();
        SHARED.get_or_init(Catalog::new)
    }

    /// The languages we have text for.
    pub fn languages(&self) -> impl Iterator<Item = &'static Language> + '_ {
        self.entries.iter().map(|e| e.language)
    }

    /// Finds a catalog by ISO 639-3 code (or alias, like `ara`) or by BCP 47 tag.
    fn entry(&self, language: &str) -> Option<&Entry> {
        let by_code = languages::find(language).map(|l| l.tag);
        let tag = by_code.unwrap_or(language.trim());
        self.entries.iter().find(|e| e.language.tag == tag)
    }

    /// Whether we have text for the language with this ISO 639-3 code.
    pub fn has(&self, code: &str) -> bool {
        languages::find(code).is_some_and(|l| self.entry(l.code).is_some())
    }

    /// One message in the language with this ISO 639-3 code, with its variables filled in.
    ///
    /// `None` when we have no text in that language, when the message does not exist, or when
    /// formatting reports an error (a missing variable): half a sentence with `{$counter}` in
    /// it must never reach a ticket or a board, so the caller falls back instead.
    pub fn message(&self, code: &str, id: &str, args: &[(&str, Arg<'_>)]) -> Option<String> {
        let entry = self.entry(languages::find(code)?.code)?;
        let pattern = entry.bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for &(name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(name, text),
                Arg::Number(n) => fluent_args.set(name, FluentValue::from(n)),
            }
        }
        let mut errors = Vec::new();
        let text = entry
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// A message that must say something: in the language with this ISO 639-3 code, else in
    /// Spanish, else in English (the stated fallback order). Never the message id: should
    /// every catalog miss it, the text is empty (the shipped catalogs are tested complete).
    pub fn say(&self, code: &str, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        std::iter::once(code)
            .chain(FALLBACK)
            .find_map(|c| self.message(c, id, args))
            .unwrap_or_default()
    }

    /// The languages a page or ticket for this applicant is shown in: theirs if we have text
    /// for it, then Spanish, then English, each once.
    pub fn languages_for(&self, code: &str) -> Vec<&'static Language> {
        let own = languages::find(code).filter(|l| self.has(l.code));
        own.into_iter()
            .chain(ALWAYS.iter().filter_map(|c| languages::find(c)))
            .fold(Vec::new(), |mut shown, l| {
                if !shown.iter().any(|s: &&Language| s.code == l.code) {
                    shown.push(l);
                }
                shown
            })
    }

    /// Whether this applicant needs an interpreter: we have no text in their language (a Mayan
    /// language, any other listed fallback language, or a code we do not know).
    pub fn needs_interpreter(&self, code: &str) -> bool {
        !self.has(code)
    }

    /// Everything a ticket for this applicant says, in [`Catalog::languages_for`] order.
    pub fn texts_for(&self, code: &str, facts: &TicketFacts<'_>) -> TicketTexts {
        let needs_interpreter = self.needs_interpreter(code);
        let count = Arg::from(facts.party_size);
        let window = [
            ("earliest", Arg::Text(facts.earliest)),
            ("latest", Arg::Text(facts.latest)),
        ];
        let languages = self
            .languages_for(code)
            .into_iter()
            .map(|language| {
                let text = |id: &str, args: &[(&str, Arg<'_>)]| self.text(language.code, id, args);
                LanguageTexts {
                    language,
                    title: text("ticket-title", &[]),
                    party_size: text("ticket-party-size", &[("count", count)]),
                    estimate: text("ticket-estimate", &window),
                    estimate_window: (!facts.earliest.is_empty())
                        .then(|| format!("{}–{}", facts.earliest, facts.latest)),
                    instructions: Pictogram::ALL
                        .iter()
                        .map(|&pictogram| Instruction {
                            pictogram,
                            text: text(pictogram.message_id(), &[]),
                        })
                        .collect(),
                    scan_status: text("ticket-scan-status", &[]),
                    interpreter: needs_interpreter.then(|| text("ticket-interpreter", &[])),
                }
            })
            .collect();
        TicketTexts {
            languages,
            needs_interpreter,
        }
    }

    /// A message for a ticket, which must always say something: see [`Catalog::say`].
    fn text(&self, code: &str, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.say(code, id, args)
    }

    /// Who wrote a catalog and who reviewed it, by ISO 639-3 code or BCP 47 tag;
    /// `None` when we ship no text in that language.
    pub fn review_state(&self, language: &str) -> Option<ReviewState> {
        let entry = self.entry(language)?;
        let header = |key: &str| {
            entry
                .text
                .lines()
                .take_while(|line| line.starts_with('#'))
                .find_map(|line| line.strip_prefix('#')?.trim().strip_prefix(key))
                .map(str::trim)
        };
        Some(ReviewState {
            source: header("source:").unwrap_or(""),
            reviewed_by: header("reviewed-by:").filter(|r| !r.is_empty()),
        })
    }

    /// The raw Fluent text of a catalog, for tests that inspect its structure.
    #[cfg(test)]
    fn source_text(&self, tag: &str) -> &'static str {
        self.entry(tag).expect("shipped").text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::languages::TicketText;
    use fluent_syntax::ast;
    use std::collections::{BTreeMap, BTreeSet};

    /// Message id → the variables it uses, read from the Fluent syntax tree.
    fn messages(text: &str) -> BTreeMap<String, BTreeSet<String>> {
        fn pattern(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
            for element in &p.elements {
                if let ast::PatternElement::Placeable { expression } = element {
                    expr(expression, vars);
                }
            }
        }
        fn expr(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
            match e {
                ast::Expression::Select { selector, variants } => {
                    inline(selector, vars);
                    variants.iter().for_each(|v| pattern(&v.value, vars));
                }
                ast::Expression::Inline(i) => inline(i, vars),
            }
        }
        fn inline(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
            match i {
                ast::InlineExpression::VariableReference { id } => {
                    vars.insert(id.name.to_owned());
                }
                ast::InlineExpression::FunctionReference { arguments, .. } => {
                    arguments.positional.iter().for_each(|a| inline(a, vars));
                    arguments.named.iter().for_each(|a| inline(&a.value, vars));
                }
                ast::InlineExpression::Placeable { expression } => expr(expression, vars),
                _ => {}
            }
        }
        let resource = fluent_syntax::parser::parse(text).expect("parses");
        resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                ast::Entry::Message(m) => {
                    let mut vars = BTreeSet::new();
                    m.value.iter().for_each(|p| pattern(p, &mut vars));
                    m.attributes
                        .iter()
                        .for_each(|a| pattern(&a.value, &mut vars));
                    Some((m.id.name.to_owned(), vars))
                }
                ast::Entry::Junk { content } => panic!("unparsable text: {content}"),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_shipped_language_has_every_message_with_the_same_variables() {
        let catalog = Catalog::new();
        let english = messages(catalog.source_text("en"));
        assert!(english.len() >= 26, "the source catalog lost messages");
        for language in catalog.languages() {
            let theirs = messages(catalog.source_text(language.tag));
            for (id, vars) in &english {
                assert_eq!(theirs.get(id), Some(vars), "{}: {id}", language.tag);
            }
            let extra: Vec<_> = theirs
                .keys()
                .filter(|id| !english.contains_key(*id))
                .collect();
            assert!(
                extra.is_empty(),
                "{}: messages not in English: {extra:?}",
                language.tag
            );
        }
    }

    #[test]
    fn the_messages_the_app_needs_exist() {
        let english = messages(Catalog::new().source_text("en"));
        for id in [
            "ticket-title",
            "ticket-party-size",
            "ticket-estimate",
            "ticket-interpreter",
            "ticket-scan-status",
            "status-your-ticket",
            "status-status",
            "status-waiting",
            "status-called",
            "status-served",
            "status-no-show",
            "status-withdrawn",
            "status-people-before-you",
            "status-estimated-call-time",
            "status-between",
            "status-no-counter",
            "status-beyond-estimate",
            "status-auto-refresh",
            "status-language",
            "board-now-serving",
            "board-counter",
            "board-next",
            "board-announce",
            "board-number",
            "status-stop-updating",
            "status-keep-updating",
            "error-not-found",
            "error-failed",
        ]
        .into_iter()
        .chain(Pictogram::ALL.map(Pictogram::message_id))
        {
            assert!(english.contains_key(id), "{id}");
        }
    }

    #[test]
    fn catalogs_are_exactly_the_translated_languages() {
        let catalog = Catalog::new();
        for language in languages::LANGUAGES {
            let translated = language.ticket == TicketText::Translated;
            assert_eq!(catalog.has(language.code), translated, "{}", language.code);
        }
    }

    #[test]
    fn every_catalog_records_its_source_and_reviewer_line() {
        let catalog = Catalog::new();
        for language in catalog.languages() {
            let state = catalog.review_state(language.tag).unwrap();
            assert!(state.source.len() > 20, "{}: {state:?}", language.tag);
            assert!(
                catalog
                    .source_text(language.tag)
                    .lines()
                    .take(3)
                    .any(|l| l.starts_with("# reviewed-by:")),
                "{} has no reviewed-by line",
                language.tag
            );
        }
        let es = catalog.review_state("spa").unwrap();
        assert!(es.source.contains("not yet reviewed"));
        assert_eq!(es.reviewed_by, None);
        assert_eq!(catalog.review_state("quc"), None);
    }

    #[test]
    fn messages_fill_in_variables_without_isolation_marks() {
        let catalog = Catalog::new();
        assert_eq!(
            catalog.message(
                "eng",
                "board-announce",
                &[("ticket", "W-0042".into()), ("counter", "3".into())]
            ),
            Some("Ticket W-0042, counter 3".to_owned())
        );
        assert_eq!(
            catalog.message("spa", "status-called", &[("counter", "4".into())]),
            Some("Le llaman: vaya a la ventanilla 4".to_owned())
        );
    }

    #[test]
    fn arabic_keeps_left_to_right_values_isolated() {
        let text = Catalog::new()
            .message(
                "ara",
                "board-announce",
                &[("ticket", "W-0042".into()), ("counter", "3".into())],
            )
            .unwrap();
        assert!(text.contains("\u{2068}W-0042\u{2069}"), "{text:?}");
    }

    #[test]
    fn a_missing_variable_or_message_gives_none_not_half_a_sentence() {
        let catalog = Catalog::new();
        assert_eq!(catalog.message("eng", "status-called", &[]), None);
        assert_eq!(catalog.message("eng", "no-such-message", &[]), None);
        assert_eq!(catalog.message("quc", "ticket-title", &[]), None);
        assert_eq!(catalog.message("xyz", "ticket-title", &[]), None);
    }

    #[test]
    fn a_spanish_speaker_gets_spanish_and_english_once_each() {
        let codes = |code| -> Vec<&str> {
            Catalog::new()
                .languages_for(code)
                .iter()
                .map(|l| l.code)
                .collect()
        };
        assert_eq!(codes("spa"), ["spa", "eng"]);
        assert_eq!(codes("eng"), ["eng", "spa"]);
        assert_eq!(codes("hat"), ["hat", "spa", "eng"]);
        assert_eq!(codes("zho"), ["cmn", "spa", "eng"]);
        assert_eq!(codes("mam"), ["spa", "eng"]);
    }

    fn facts() -> TicketFacts<'static> {
        TicketFacts {
            party_size: 3,
            earliest: "10:40",
            latest: "11:10",
        }
    }

    #[test]
    fn a_mayan_language_falls_back_and_asks_for_an_interpreter() {
        let catalog = Catalog::new();
        for code in [
            "quc",
            "mam",
            "kjb",
            "kek",
            "cak",
            "knj",
            "cac",
            "not-a-code",
        ] {
            let texts = catalog.texts_for(code, &facts());
            assert!(texts.needs_interpreter, "{code}");
            let tags: Vec<_> = texts.languages.iter().map(|l| l.language.tag).collect();
            assert_eq!(tags, ["es", "en"], "{code}");
            assert_eq!(
                texts.languages[1].interpreter.as_deref(),
                Some("Please ask an officer for an interpreter.")
            );
        }
    }

    #[test]
    fn a_translated_ticket_comes_first_with_facts_filled_in() {
        let texts = Catalog::new().texts_for("por", &facts());
        assert!(!texts.needs_interpreter);
        let pt = &texts.languages[0];
        assert_eq!(pt.language.tag, "pt");
        assert_eq!(pt.party_size, "Pessoas no seu grupo: 3");
        assert!(pt.estimate.contains("10:40") && pt.estimate.contains("11:10"));
        assert_eq!(pt.instructions.len(), Pictogram::ALL.len());
        assert_eq!(pt.instructions[3].pictogram, Pictogram::KeepTicket);
        assert_eq!(pt.instructions[3].text, "Guarde esta senha. Não a perca.");
        assert_eq!(pt.interpreter, None);
    }

    /// The shipped catalogs with `id` taken out of the languages `from`.
    fn without(id: &str, from: &[&str]) -> Catalog {
        let sources: Vec<(&str, &'static str)> = SHIPPED
            .iter()
            .map(|&(tag, text)| {
                if !from.contains(&tag) {
                    return (tag, text);
                }
                let kept: String = text
                    .lines()
                    .filter(|line| !line.starts_with(&format!("{id} =")))
                    .map(|line| format!("{line}\n"))
                    .collect();
                assert_ne!(kept.len(), text.len(), "{tag} had {id}");
                (tag, &*Box::leak(kept.into_boxed_str()))
            })
            .collect();
        Catalog::from_sources(&sources)
    }

    #[test]
    fn a_removed_message_falls_back_to_spanish_then_english_never_its_id() {
        let catalog = without("ticket-title", &["pt"]);
        assert_eq!(catalog.message("por", "ticket-title", &[]), None);
        assert_eq!(catalog.say("por", "ticket-title", &[]), "Su número");
        let texts = catalog.texts_for("por", &facts());
        assert_eq!(texts.languages[0].language.tag, "pt");
        assert_eq!(texts.languages[0].title, "Su número");

        let catalog = without("status-served", &["ar", "es"]);
        assert_eq!(catalog.say("arb", "status-served", &[]), "Served");

        let catalog = without("board-counter", &["fr", "es", "en"]);
        assert_eq!(catalog.say("fra", "board-counter", &[]), "");
        // A language we have no text in speaks Spanish.
        assert_eq!(Catalog::new().say("quc", "ticket-title", &[]), "Su número");
    }

    #[test]
    fn counts_are_numbers_so_plural_rules_choose_the_form() {
        let source = "# source: test\n# reviewed-by:\nticket-party-size = { $count ->\n    [one] One person\n   *[other] { $count } people\n}\n";
        let catalog = Catalog::from_sources(&[("en", source)]);
        assert_eq!(
            catalog.message("eng", "ticket-party-size", &[("count", 1u32.into())]),
            Some("One person".to_owned())
        );
        assert_eq!(
            catalog.message("eng", "ticket-party-size", &[("count", 3u32.into())]),
            Some("3 people".to_owned())
        );
        // As text, "1" would never match `one`: that is why counts go as numbers.
        assert_eq!(
            catalog.message("eng", "ticket-party-size", &[("count", "1".into())]),
            Some("1 people".to_owned())
        );
    }

    #[test]
    fn the_shared_catalog_is_built_once() {
        assert!(std::ptr::eq(Catalog::shared(), Catalog::shared()));
    }
}
