//! What the status page's "Listen" button says: the page's facts as one text per language,
//! with the ticket number read digit by digit in words ("W, zero, zero, four, two"), the way a
//! person reads it out, not as "forty-two". The phone's own speech synthesis speaks it
//! (`static/listen.js`); nothing is fetched.

use portqueue_core::Status;
use portqueue_core::languages::Language;
use portqueue_core::tickets::Catalog;

fn say(code: &str, id: &str) -> String {
    Catalog::shared().say(code, id, &[])
}

/// The ticket number as said aloud: letters as letters, each digit as its word in this
/// language (`listen-digits`), separators left out, parts apart with the language's comma.
pub fn spell_ticket(code: &str, ticket: &str) -> String {
    let digits = say(code, "listen-digits");
    let comma = if digits.contains('،') { "، " } else { ", " };
    let words: Vec<&str> = digits
        .split([',', '،', '、', '，'])
        .map(str::trim)
        .collect();
    let parts: Vec<String> = ticket
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| match c.to_digit(10) {
            Some(d) if words.len() == 10 => words[d as usize].to_owned(),
            _ => c.to_string(),
        })
        .collect();
    parts.join(comma)
}

/// Ends a sentence unless it already ends with a stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?', '。', '۔', '।', ':']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// Everything the button says in one language, from the texts the page shows.
pub fn spoken(
    code: &str,
    ticket: &str,
    status: Status,
    status_text: &str,
    people_before: Option<u32>,
    estimate: Option<&str>,
    interpreter: Option<&str>,
) -> String {
    let mut parts = vec![
        sentence(&format!(
            "{} {}",
            say(code, "status-your-ticket"),
            spell_ticket(code, ticket)
        )),
        sentence(&format!("{}: {status_text}", say(code, "status-status"))),
    ];
    if let Some(n) = people_before {
        parts.push(sentence(&format!(
            "{}: {n}",
            say(code, "status-people-before-you")
        )));
    }
    if let Some(window) = estimate {
        parts.push(sentence(&format!(
            "{}: {window}",
            say(code, "status-estimated-call-time")
        )));
    }
    // What to do now.
    match status {
        Status::Waiting => {
            parts.push(sentence(&say(code, "ticket-wait-here")));
            parts.push(sentence(&say(code, "ticket-watch-board")));
        }
        // The status says which counter to go to, and the others what became of the ticket.
        Status::Called | Status::Served | Status::NoShow | Status::Withdrawn => {}
    }
    if let Some(i) = interpreter {
        parts.push(sentence(i));
    }
    parts.join(" ")
}

/// The button's own words, in the page's language.
#[derive(Debug, Clone)]
pub struct ListenTexts {
    pub label: String,
    pub stop: String,
    /// "This phone has no voice for <language>. Listen in another language:"
    pub no_voice: String,
    pub unavailable: String,
}

impl ListenTexts {
    pub fn new(page: &Language) -> ListenTexts {
        let catalog = Catalog::shared();
        ListenTexts {
            label: say(page.code, "status-listen"),
            stop: say(page.code, "status-listen-stop"),
            no_voice: catalog.say(
                page.code,
                "status-listen-no-voice",
                &[("language", page.native.into())],
            ),
            unavailable: say(page.code, "status-listen-unavailable"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_number_is_read_digit_by_digit_in_the_language() {
        assert_eq!(spell_ticket("eng", "W-0042"), "W, zero, zero, four, two");
        assert_eq!(spell_ticket("spa", "A-0107"), "A, cero, uno, cero, siete");
        assert_eq!(spell_ticket("arb", "W-0042"), "W، صفر، صفر، أربعة، اثنان");
    }

    #[test]
    fn the_spoken_text_says_status_people_window_and_what_to_do() {
        let text = spoken(
            "eng",
            "W-0042",
            Status::Waiting,
            "Waiting",
            Some(3),
            Some("between 10:00 and 10:30"),
            None,
        );
        assert_eq!(
            text,
            "Your ticket W, zero, zero, four, two. Status: Waiting. People before you: 3. \
             Estimated call time: between 10:00 and 10:30. Wait here. Stay in this area. \
             Watch the screen for your number."
        );
    }
}
