//! Matching names as people type them: accents, apostrophes and case do not matter.

/// Base letters and the accented lower-case letters that fold to them (Latin-1, Latin
/// Extended-A and the Vietnamese letters of Latin Extended Additional).
const FOLDS: &[(char, &str)] = &[
    ('a', "àáâãäåāăąǎạảấầẩẫậắằẳẵặ"),
    ('c', "çćĉċč"),
    ('d', "ďđ"),
    ('e', "èéêëēĕėęěẹẻẽếềểễệ"),
    ('g', "ĝğġģ"),
    ('h', "ĥħ"),
    ('i', "ìíîïĩīĭįıǐịỉ"),
    ('j', "ĵ"),
    ('k', "ķ"),
    ('l', "ĺļľŀł"),
    ('n', "ñńņňŉ"),
    ('o', "òóôõöøōŏőǒơọỏốồổỗộớờởỡợ"),
    ('r', "ŕŗř"),
    ('s', "śŝşšș"),
    ('t', "ţťŧț"),
    ('u', "ùúûüũūŭůűųǔưụủứừửữự"),
    ('w', "ŵ"),
    ('y', "ýÿŷỳỵỷỹ"),
    ('z', "źżž"),
];

/// `text` in lower case without accents or apostrophes, other punctuation as single spaces:
/// "García" and "garcia" fold alike, "K'iche'" folds to "kiche".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'ß' => {
                out.push_str("ss");
                space = false;
                continue;
            }
            'æ' => {
                out.push_str("ae");
                space = false;
                continue;
            }
            '\'' | '\u{2018}' | '\u{2019}' | '\u{02bc}' | '`' => continue,
            // Combining marks (text typed decomposed).
            '\u{0300}'..='\u{036f}' => continue,
            c => FOLDS
                .iter()
                .find(|(_, accented)| accented.contains(c))
                .map_or(c, |(base, _)| *base),
        };
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_owned()
}

/// Whether every word of `query` starts a word of `text`, both folded, in order-free
/// fashion: "garcia ana" finds "Ana María García".
pub fn words_match(text: &str, query: &str) -> bool {
    let text = fold(text);
    let words: Vec<&str> = text.split(' ').collect();
    fold(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|q| words.iter().any(|w| w.starts_with(q)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_apostrophes_and_case_fold_away() {
        assert_eq!(fold("García"), "garcia");
        assert_eq!(fold("  PÉREZ-Núñez "), "perez nunez");
        assert_eq!(fold("K'iche'"), "kiche");
        assert_eq!(fold("Kreyòl ayisyen"), "kreyol ayisyen");
        assert_eq!(fold("Türkçe"), "turkce");
        assert_eq!(fold("Tiếng Việt"), "tieng viet");
        assert_eq!(fold("Garci\u{301}a"), "garcia", "decomposed input");
    }

    #[test]
    fn words_match_on_word_starts_only() {
        assert!(words_match("Ana María García", "garcia"));
        assert!(words_match("Ana María García", "GARC ana"));
        assert!(!words_match("Ana María García", "arcia"));
        assert!(!words_match("Mandarin Chinese", "dari"));
        assert!(words_match("Dari", "dari"));
    }
}
