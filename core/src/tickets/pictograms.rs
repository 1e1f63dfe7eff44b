//! The five pictograms of the ticket, in the order an applicant lives them.
//!
//! Many applicants read no language we print, so each instruction is first a picture
//! (`static/pictograms/<name>.svg`, drawn for this project) and then a short sentence in the
//! catalog under the message id `ticket-<name>`.

/// One instruction on the ticket, as a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pictogram {
    WaitHere,
    WatchBoard,
    GoToCounter,
    KeepTicket,
    AskOfficer,
}

impl Pictogram {
    /// Every pictogram, in the order the ticket shows them.
    pub const ALL: [Pictogram; 5] = [
        Pictogram::WaitHere,
        Pictogram::WatchBoard,
        Pictogram::GoToCounter,
        Pictogram::KeepTicket,
        Pictogram::AskOfficer,
    ];

    /// The stable name: the SVG is `static/pictograms/<name>.svg`.
    pub fn name(self) -> &'static str {
        match self {
            Pictogram::WaitHere => "wait-here",
            Pictogram::WatchBoard => "watch-board",
            Pictogram::GoToCounter => "go-to-counter",
            Pictogram::KeepTicket => "keep-ticket",
            Pictogram::AskOfficer => "ask-officer",
        }
    }

    /// The SVG's file name inside `static/pictograms/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Pictogram::WaitHere => "wait-here.svg",
            Pictogram::WatchBoard => "watch-board.svg",
            Pictogram::GoToCounter => "go-to-counter.svg",
            Pictogram::KeepTicket => "keep-ticket.svg",
            Pictogram::AskOfficer => "ask-officer.svg",
        }
    }

    /// The SVG itself, compiled in: the printed slip draws it (see [`super::slip`]).
    pub fn svg(self) -> &'static str {
        match self {
            Pictogram::WaitHere => include_str!("../../../static/pictograms/wait-here.svg"),
            Pictogram::WatchBoard => include_str!("../../../static/pictograms/watch-board.svg"),
            Pictogram::GoToCounter => include_str!("../../../static/pictograms/go-to-counter.svg"),
            Pictogram::KeepTicket => include_str!("../../../static/pictograms/keep-ticket.svg"),
            Pictogram::AskOfficer => include_str!("../../../static/pictograms/ask-officer.svg"),
        }
    }

    /// The catalog message that says the same thing in words.
    pub fn message_id(self) -> &'static str {
        match self {
            Pictogram::WaitHere => "ticket-wait-here",
            Pictogram::WatchBoard => "ticket-watch-board",
            Pictogram::GoToCounter => "ticket-go-to-counter",
            Pictogram::KeepTicket => "ticket-keep-ticket",
            Pictogram::AskOfficer => "ticket-ask-officer",
        }
    }

    /// The English title inside the SVG (`<title>`), for screen readers and officers.
    pub fn title(self) -> &'static str {
        match self {
            Pictogram::WaitHere => "Wait here",
            Pictogram::WatchBoard => "Watch the board for your number",
            Pictogram::GoToCounter => "Go to the counter shown",
            Pictogram::KeepTicket => "Keep this ticket",
            Pictogram::AskOfficer => "Ask an officer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_message_names_follow_the_pictogram_name() {
        for p in Pictogram::ALL {
            assert_eq!(p.file_name(), format!("{}.svg", p.name()));
            assert_eq!(p.message_id(), format!("ticket-{}", p.name()));
        }
    }
}
