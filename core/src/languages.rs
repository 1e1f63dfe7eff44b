//! The languages every form, ticket and public page accepts (`docs/design/languages.md`).
//!
//! Applicants' languages are stored as ISO 639-3 codes; pages mark their language with the
//! BCP 47 tag. Free text is never a language: [`parse`] accepts only the codes listed here
//! and the macrolanguage aliases.

/// How a ticket can speak to someone in this language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketText {
    /// The project ships text in this language (see the message catalog for its review state).
    Translated,
    /// No text of ours: pictograms, Spanish and English, and a request for an interpreter.
    Fallback,
}

/// One accepted language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// ISO 639-3 code, as stored.
    pub code: &'static str,
    /// BCP 47 tag for `<html lang>`.
    pub tag: &'static str,
    /// English name, for officers.
    pub name: &'static str,
    /// The language's own name for itself, for the applicant to recognise.
    pub native: &'static str,
    /// Whether the script runs right to left.
    pub rtl: bool,
    /// What a ticket can offer.
    pub ticket: TicketText,
}

impl Language {
    /// The HTML `dir` of text in this language: `rtl` or `ltr`.
    pub fn dir(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }
}

const fn lang(
    code: &'static str,
    tag: &'static str,
    name: &'static str,
    native: &'static str,
    rtl: bool,
    ticket: TicketText,
) -> Language {
    Language {
        code,
        tag,
        name,
        native,
        rtl,
        ticket,
    }
}

use TicketText::{Fallback, Translated};

/// Every accepted language: first the required list of docs/design/languages.md, then other languages
/// often heard at land ports, which fall back to pictograms, Spanish and English.
pub const LANGUAGES: &[Language] = &[
    lang("spa", "es", "Spanish", "Español", false, Translated),
    lang("eng", "en", "English", "English", false, Translated),
    lang(
        "hat",
        "ht",
        "Haitian Creole",
        "Kreyòl ayisyen",
        false,
        Translated,
    ),
    lang("por", "pt", "Portuguese", "Português", false, Translated),
    lang("rus", "ru", "Russian", "Русский", false, Translated),
    lang(
        "cmn",
        "zh-Hans",
        "Mandarin Chinese",
        "中文（普通话）",
        false,
        Translated,
    ),
    lang("pan", "pa", "Punjabi (Eastern)", "ਪੰਜਾਬੀ", false, Translated),
    lang("fra", "fr", "French", "Français", false, Translated),
    lang(
        "arb",
        "ar",
        "Arabic (Standard)",
        "العربية",
        true,
        Translated,
    ),
    lang("tur", "tr", "Turkish", "Türkçe", false, Translated),
    lang("hin", "hi", "Hindi", "हिन्दी", false, Translated),
    lang("quc", "quc", "K'iche'", "K'iche'", false, Fallback),
    lang("mam", "mam", "Mam", "Mam", false, Fallback),
    lang("kjb", "kjb", "Q'anjob'al", "Q'anjob'al", false, Fallback),
    lang("kek", "kek", "Q'eqchi'", "Q'eqchi'", false, Fallback),
    lang("cak", "cak", "Kaqchikel", "Kaqchikel", false, Fallback),
    lang("knj", "knj", "Akateko", "Akateko", false, Fallback),
    lang("cac", "cac", "Chuj", "Chuj", false, Fallback),
    lang("pnb", "pnb", "Punjabi (Western)", "پنجابی", true, Fallback),
    lang("ukr", "uk", "Ukrainian", "Українська", false, Fallback),
    lang("ron", "ro", "Romanian", "Română", false, Fallback),
    lang("kat", "ka", "Georgian", "ქართული", false, Fallback),
    lang("vie", "vi", "Vietnamese", "Tiếng Việt", false, Fallback),
    lang("ben", "bn", "Bengali", "বাংলা", false, Fallback),
    lang("npi", "ne", "Nepali", "नेपाली", false, Fallback),
    lang("urd", "ur", "Urdu", "اردو", true, Fallback),
    lang("pbt", "ps", "Pashto (Southern)", "پښتو", true, Fallback),
    lang("prs", "fa-AF", "Dari", "دری", true, Fallback),
    lang("tir", "ti", "Tigrinya", "ትግርኛ", false, Fallback),
    lang("som", "so", "Somali", "Soomaali", false, Fallback),
    lang("wol", "wo", "Wolof", "Wolof", false, Fallback),
    lang("lin", "ln", "Lingala", "Lingála", false, Fallback),
];

/// Macrolanguage codes accepted as aliases of one listed language.
const ALIASES: &[(&str, &str)] = &[
    ("ara", "arb"),
    ("zho", "cmn"),
    ("pus", "pbt"),
    ("fas", "prs"),
];

/// Looks a language up by ISO 639-3 code or alias, ignoring case and surrounding spaces.
pub fn find(code: &str) -> Option<&'static Language> {
    let code = code.trim().to_ascii_lowercase();
    let code = ALIASES
        .iter()
        .find(|(alias, _)| *alias == code)
        .map_or(code.as_str(), |(_, to)| to);
    LANGUAGES.iter().find(|l| l.code == code)
}

/// Other ways officers type a language's name: without the accents or apostrophes of its
/// own spelling, older spellings, and the names of the language family. The picker matches
/// these besides the English and native names, the code and the macrolanguage alias.
pub fn other_spellings(code: &str) -> &'static [&'static str] {
    match code {
        "spa" => &["espanol", "castellano", "castilian"],
        "hat" => &["kreyol", "creole", "kreyol ayisyen", "haitian"],
        "por" => &["portugues", "brazilian"],
        "rus" => &["russkiy", "russkij"],
        "cmn" => &["chinese", "putonghua", "zhongwen"],
        "pan" | "pnb" => &["panjabi", "punjabi"],
        "fra" => &["francais"],
        "arb" => &["arabe", "arabiya"],
        "tur" => &["turkce"],
        "quc" => &["kiche", "quiche", "quiché"],
        "kjb" => &["qanjobal", "kanjobal"],
        "kek" => &["qeqchi", "kekchi", "kekchí"],
        "cak" => &["cakchiquel", "kakchikel"],
        "knj" => &["acateco", "akatek"],
        "cac" => &["chuh"],
        "ukr" => &["ukrainska"],
        "ron" => &["romana", "moldovan"],
        "kat" => &["kartuli"],
        "vie" => &["tieng viet"],
        "ben" => &["bangla"],
        "prs" => &["farsi", "persian", "afghan persian"],
        "pbt" => &["pushto", "afghan"],
        "tir" => &["tigrigna"],
        "som" => &["soomaali"],
        "lin" => &["lingala"],
        _ => &[],
    }
}

/// The macrolanguage codes accepted for `code`.
pub fn aliases(code: &str) -> impl Iterator<Item = &'static str> + '_ {
    ALIASES
        .iter()
        .filter(move |(_, to)| *to == code)
        .map(|(alias, _)| *alias)
}

/// Parses a language field: the canonical ISO 639-3 code, or a message naming the rule.
pub fn parse(code: &str) -> Result<&'static str, String> {
    match find(code) {
        Some(language) => Ok(language.code),
        None if code.trim().is_empty() => Err("choose the applicant's language".into()),
        None => Err(format!(
            "`{}` is not a language code we know: choose one from the list (ISO 639-3, like spa, hat or quc)",
            code.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_required_language_is_accepted() {
        for code in [
            "spa", "eng", "hat", "por", "rus", "cmn", "pan", "fra", "arb", "tur", "hin", "quc",
            "mam", "kjb", "kek", "cak", "knj", "cac",
        ] {
            assert_eq!(parse(code), Ok(code));
        }
    }

    #[test]
    fn macrolanguages_are_aliases_and_pnb_stays_itself() {
        assert_eq!(parse("ara"), Ok("arb"));
        assert_eq!(parse("ZHO"), Ok("cmn"));
        assert_eq!(parse("pnb"), Ok("pnb"));
    }

    #[test]
    fn free_text_is_never_a_language() {
        assert!(parse("Spanish").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn arabic_is_right_to_left_and_codes_are_unique() {
        assert!(find("arb").unwrap().rtl);
        let mut codes: Vec<_> = LANGUAGES.iter().map(|l| l.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), LANGUAGES.len());
    }
}
