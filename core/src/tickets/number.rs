//! Ticket numbers: a class letter, a dash and four digits (`W-0042`, `A-0007`).
//!
//! The number is what an applicant watches for on the board and hears called, so it is short,
//! and uses only letters that cannot be mistaken for digits (no `I`, no `O`). At a port, a
//! number is never given to a second ticket while the first is still open, even across days:
//! [`allocate`] is handed the numbers held by open tickets and steps over them.

use std::fmt;
use std::str::FromStr;

use crate::model::Class;

/// The highest number; after it the counter wraps to [`FIRST`].
pub const LAST: u32 = 9999;
/// The first number (there is no `W-0000`: "zero" reads as "no ticket").
pub const FIRST: u32 = 1;

/// A ticket's number, as printed and called: `W-0042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNumber {
    class: Class,
    number: u16,
}

impl TicketNumber {
    /// A ticket number, or `None` when `number` is outside `1..=9999`.
    pub fn new(class: Class, number: u32) -> Option<Self> {
        if !(FIRST..=LAST).contains(&number) {
            return None;
        }
        Some(TicketNumber {
            class,
            number: u16::try_from(number).ok()?,
        })
    }

    /// The class the ticket was drawn in.
    pub fn class(self) -> Class {
        self.class
    }

    /// The number without its letter, `1..=9999`.
    pub fn number(self) -> u32 {
        u32::from(self.number)
    }
}

/// The letter a class's tickets carry. Both are far from any digit in shape (no `I`, no `O`),
/// which matters on a worn thermal print and when read aloud.
pub fn class_letter(class: Class) -> char {
    match class {
        Class::Appointment => 'A',
        Class::WalkIn => 'W',
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}", class_letter(self.class), self.number)
    }
}

/// Why a text is not a ticket number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a ticket number: write a class letter (W or A), a dash and four digits, like W-0042"
)]
pub struct ParseTicketNumberError(pub String);

impl FromStr for TicketNumber {
    type Err = ParseTicketNumberError;

    /// Accepts the printed form, ignoring surrounding spaces and the letter's case, since
    /// officers type numbers read off a ticket or heard at a counter.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseTicketNumberError(s.trim().to_owned());
        let text = s.trim();
        let (letter, digits) = text.split_once('-').ok_or_else(err)?;
        let class = match letter {
            "W" | "w" => Class::WalkIn,
            "A" | "a" => Class::Appointment,
            _ => return Err(err()),
        };
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let number = digits.parse().map_err(|_| err())?;
        TicketNumber::new(class, number).ok_or_else(err)
    }
}

/// Every number of a class is held by an open ticket; nothing can be drawn until one closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "all {LAST} {} ticket numbers are held by open tickets; close finished tickets before drawing more",
    .0.label()
)]
pub struct Exhausted(pub Class);

/// Draws the next free number of `class`, starting at `next` (the port's counter for that class).
///
/// `is_open(n)` says whether an open ticket of this class at this port holds number `n`; those
/// numbers are skipped, so a number is never reused while its ticket is open. Counting wraps
/// from 9999 to 1. Returns the number and the counter to store for the next draw.
/// A `next` outside `1..=9999` (a fresh counter stored as 0) starts at 1.
///
/// The caller must run this inside the transaction that inserts the ticket, so that two
/// officers registering at once cannot draw the same number.
pub fn allocate(
    class: Class,
    next: u32,
    is_open: impl Fn(u32) -> bool,
) -> Result<(TicketNumber, u32), Exhausted> {
    let start = if (FIRST..=LAST).contains(&next) {
        next
    } else {
        FIRST
    };
    (0..LAST)
        .map(|step| (start - FIRST + step) % LAST + FIRST)
        .find(|&n| !is_open(n))
        .map(|n| {
            let ticket = TicketNumber::new(class, n).expect("n is in 1..=9999 by construction");
            (ticket, n % LAST + FIRST)
        })
        .ok_or(Exhausted(class))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn prints_letter_dash_four_digits() {
        assert_eq!(
            TicketNumber::new(Class::WalkIn, 42).unwrap().to_string(),
            "W-0042"
        );
        assert_eq!(
            TicketNumber::new(Class::Appointment, 7)
                .unwrap()
                .to_string(),
            "A-0007"
        );
        assert_eq!(
            TicketNumber::new(Class::WalkIn, 9999).unwrap().to_string(),
            "W-9999"
        );
    }

    #[test]
    fn zero_and_five_digit_numbers_do_not_exist() {
        assert_eq!(TicketNumber::new(Class::WalkIn, 0), None);
        assert_eq!(TicketNumber::new(Class::WalkIn, 10_000), None);
    }

    #[test]
    fn parses_what_it_prints_and_what_officers_type() {
        for class in Class::ALL {
            for n in [1, 42, 999, 9999] {
                let t = TicketNumber::new(*class, n).unwrap();
                assert_eq!(t.to_string().parse::<TicketNumber>(), Ok(t));
            }
        }
        let t = TicketNumber::new(Class::WalkIn, 42).unwrap();
        assert_eq!(" w-0042 ".parse::<TicketNumber>(), Ok(t));
    }

    #[test]
    fn rejects_malformed_numbers_with_an_example() {
        for bad in [
            "", "W0042", "W-42", "W-00042", "X-0042", "I-0042", "W-0000", "W-00a2", "W--042",
        ] {
            let err = bad.parse::<TicketNumber>().unwrap_err();
            assert!(err.to_string().contains("like W-0042"), "{bad}: {err}");
        }
    }

    #[test]
    fn class_letters_are_distinct_and_never_confusable_with_digits() {
        let letters: HashSet<char> = Class::ALL.iter().map(|c| class_letter(*c)).collect();
        assert_eq!(letters.len(), Class::ALL.len());
        for confusable in ['I', 'O', 'L', 'S', 'Z', 'B', 'G', 'Q', 'D'] {
            assert!(
                !letters.contains(&confusable),
                "{confusable} looks like a digit"
            );
        }
    }

    #[test]
    fn allocate_starts_at_next_and_advances_the_counter() {
        let (t, next) = allocate(Class::WalkIn, 42, |_| false).unwrap();
        assert_eq!(t.to_string(), "W-0042");
        assert_eq!(next, 43);
    }

    #[test]
    fn allocate_wraps_from_9999_to_1() {
        let (t, next) = allocate(Class::WalkIn, 9999, |_| false).unwrap();
        assert_eq!((t.number(), next), (9999, 1));
        let (t, next) = allocate(Class::WalkIn, 9999, |n| n == 9999).unwrap();
        assert_eq!((t.number(), next), (1, 2));
    }

    #[test]
    fn a_fresh_counter_starts_at_one() {
        assert_eq!(
            allocate(Class::Appointment, 0, |_| false)
                .unwrap()
                .0
                .to_string(),
            "A-0001"
        );
    }

    #[test]
    fn allocate_skips_numbers_of_open_tickets_left_from_earlier_days() {
        let open: HashSet<u32> = [5, 6, 7].into();
        let (t, next) = allocate(Class::WalkIn, 5, |n| open.contains(&n)).unwrap();
        assert_eq!((t.number(), next), (8, 9));
    }

    #[test]
    fn allocate_is_exhausted_only_when_every_number_is_open() {
        assert_eq!(
            allocate(Class::WalkIn, 1, |_| true),
            Err(Exhausted(Class::WalkIn))
        );
        let (t, _) = allocate(Class::WalkIn, 1, |n| n != 4321).unwrap();
        assert_eq!(t.number(), 4321);
        assert!(Exhausted(Class::WalkIn).to_string().contains("walk-in"));
    }

    proptest! {
        /// The drawn number is free, and it is the first free one at or after `next`
        /// going round the dial, so numbers are handed out in order and never reused.
        #[test]
        fn allocate_returns_first_free_number_in_dial_order(
            next in 0u32..=10_000,
            open in proptest::collection::hash_set(1u32..=LAST, 0..300),
        ) {
            let (t, after) = allocate(Class::WalkIn, next, |n| open.contains(&n)).unwrap();
            prop_assert!(!open.contains(&t.number()));
            prop_assert_eq!(after, if t.number() == LAST { 1 } else { t.number() + 1 });
            let start = if (1..=LAST).contains(&next) { next } else { 1 };
            let mut n = start;
            while n != t.number() {
                prop_assert!(open.contains(&n), "skipped free number {}", n);
                n = if n == LAST { 1 } else { n + 1 };
            }
        }
    }
}
