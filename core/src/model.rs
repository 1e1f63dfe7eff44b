//! The vocabulary of the queue, as in `docs/design/fair-queue.md`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::validation::FieldErrors;

/// Declares a closed set of values with one stable machine name each (used in the database,
/// the API, CSV files and form values) and a plain-words label for people.
macro_rules! named_values {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::AsExpression, diesel::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        /// Stored as its machine name. A stored name that is none of them is an error when
        /// read, never a guess: a guess could put a finished entry back in the queue.
        #[cfg(feature = "diesel")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let stored = String::from_sql(bytes)?;
                stored
                    .parse()
                    .map_err(|e| format!("stored {} {e}", stringify!($name).to_lowercase()).into())
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable machine name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// A label for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)+
                    other => Err(format!(
                        "`{other}` is not one of: {}",
                        [$($code),+].join(", ")
                    )),
                }
            }
        }
    };
}

named_values! {
    /// The class an entry is ordered in.
    Class {
        /// A booked app appointment that has been checked in.
        Appointment = "appointment", "appointment";
        /// Registered by an officer because the person could not book.
        WalkIn = "walk_in", "walk-in";
    }
}

named_values! {
    /// How urgently an entry must be seen.
    Tier {
        /// Medical emergency; an officer must give a reason. Called before everyone else.
        Urgent = "urgent", "urgent";
        /// A vulnerability: counts `priority_boost` earlier within its class.
        Priority = "priority", "priority";
        /// Everyone else.
        Standard = "standard", "standard";
    }
}

named_values! {
    /// Where an entry is in its life.
    Status {
        Waiting = "waiting", "waiting";
        Called = "called", "called";
        Served = "served", "served";
        NoShow = "no_show", "no-show";
        Withdrawn = "withdrawn", "withdrawn";
    }
}

impl Status {
    /// Whether the entry has reached one of its final states (G7).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Served | Status::NoShow | Status::Withdrawn)
    }
}

named_values! {
    /// Why a person could not book an appointment in the app.
    Barrier {
        Language = "language", "language barrier";
        Literacy = "literacy", "cannot read or write";
        Technical = "technical", "technical failure of the app";
        Other = "other", "another serious obstacle";
    }
}

named_values! {
    /// A vulnerability that earns the priority tier.
    Vulnerability {
        UnaccompaniedChild = "unaccompanied_child", "unaccompanied child";
        Pregnancy = "pregnancy", "pregnancy";
        Disability = "disability", "disability";
        SeriousIllness = "serious_illness", "serious illness";
        Infant = "infant", "infant in the party";
        Elderly = "elderly", "elderly person";
        Threatened = "threatened", "threatened while waiting";
        Other = "other", "other vulnerability";
    }
}

/// A port's queue policy (docs/design/fair-queue.md, "Policy"). Changed only by a supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Share of officer time for walk-ins while both classes wait; 0 < x < 1.
    pub walkin_share: f64,
    /// How much earlier a priority entry counts, in minutes.
    pub priority_boost_minutes: u32,
    /// How early before its slot an appointment may be called, in minutes.
    pub early_window_minutes: u32,
    /// How late after its slot an appointment still counts as one, in minutes.
    pub late_window_minutes: u32,
    /// Calls without an answer before an entry becomes a no-show.
    pub max_recalls: u32,
    /// Service time assumed per person until the day's own mean is known, in minutes.
    pub minutes_per_person: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            walkin_share: 0.30,
            priority_boost_minutes: 120,
            early_window_minutes: 60,
            late_window_minutes: 60,
            max_recalls: 2,
            minutes_per_person: 10,
        }
    }
}

/// Upper bounds that keep a policy sensible (a day has 1440 minutes).
const MAX_WINDOW_MINUTES: u32 = 24 * 60;

impl Policy {
    /// Checks every field, naming each one that is out of range.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if !(self.walkin_share > 0.0 && self.walkin_share < 1.0) {
            errors.add(
                "walkin_share",
                "must be more than 0 and less than 1 (for example 0.30 for 30%)",
            );
        } else if (self.walkin_share * 10_000.0).round() < 1.0
            || (self.walkin_share * 10_000.0).round() > 9_999.0
        {
            errors.add("walkin_share", "must be between 0.0001 and 0.9999");
        }
        for (field, value) in [
            ("priority_boost_minutes", self.priority_boost_minutes),
            ("early_window_minutes", self.early_window_minutes),
            ("late_window_minutes", self.late_window_minutes),
        ] {
            if value > MAX_WINDOW_MINUTES {
                errors.add(
                    field,
                    format!("must be at most {MAX_WINDOW_MINUTES} minutes"),
                );
            }
        }
        if self.max_recalls > 10 {
            errors.add("max_recalls", "must be between 0 and 10");
        }
        if !(1..=240).contains(&self.minutes_per_person) {
            errors.add("minutes_per_person", "must be between 1 and 240 minutes");
        }
        errors.into_result(())
    }

    /// The walk-in share in parts per ten thousand (1..=9999), the engine's exact weight.
    pub fn walkin_weight(&self) -> u64 {
        (self.walkin_share * 10_000.0).round().clamp(1.0, 9_999.0) as u64
    }
}

/// Reads a walk-in share typed as a percentage ("30", "30%", "12.5") into a fraction
/// (0.30): the one rule for every form that asks for one. The engine weighs the share in
/// parts per ten thousand ([`Policy::walkin_weight`]), so 0.01% to 99.99% is what it can
/// honour as typed; a smaller or larger number would be stored as typed and applied as
/// another, so it is refused.
pub fn walkin_share_from_percent(typed: &str) -> Result<f64, String> {
    let percent = typed.trim().trim_end_matches('%').trim();
    match percent.parse::<f64>() {
        Ok(p) if p.is_finite() && (0.01..=99.99).contains(&p) => Ok(p / 100.0),
        _ => Err(format!(
            "must be a percentage more than 0 and less than 100 (0.01 to 99.99), got \"{percent}\""
        )),
    }
}

/// The smallest and largest party (docs/design/fair-queue.md, "Entry").
pub const PARTY_SIZE_RANGE: std::ops::RangeInclusive<u32> = 1..=20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_share_is_what_the_engine_can_weigh() {
        for (typed, share) in [(" 30 % ", 0.30), ("0.01", 0.0001), ("99.99", 0.9999)] {
            let read = walkin_share_from_percent(typed).expect(typed);
            assert!((read - share).abs() < 1e-12, "{typed}: {read}");
        }
        for refused in [
            "0", "0.005", "99.995", "100", "-5", "NaN", "inf", "thirty", "",
        ] {
            let message = walkin_share_from_percent(refused).expect_err(refused);
            assert!(message.contains("less than 100"), "{message}");
        }
    }

    #[test]
    fn names_round_trip_through_from_str() {
        for class in Class::ALL {
            assert_eq!(class.as_str().parse::<Class>().unwrap(), *class);
        }
        for tier in Tier::ALL {
            assert_eq!(tier.as_str().parse::<Tier>().unwrap(), *tier);
        }
        assert!("walkin".parse::<Class>().is_err());
    }

    #[test]
    fn default_policy_is_valid_and_share_out_of_range_is_named() {
        assert!(Policy::default().validate().is_ok());
        let bad = Policy {
            walkin_share: 1.0,
            minutes_per_person: 0,
            ..Policy::default()
        };
        let errors = bad.validate().unwrap_err();
        assert!(errors.get("walkin_share").is_some());
        assert!(errors.get("minutes_per_person").is_some());
    }

    #[test]
    fn serde_uses_snake_case_names() {
        assert_eq!(
            serde_json::to_string(&Class::WalkIn).unwrap(),
            "\"walk_in\""
        );
        assert_eq!(
            serde_json::to_string(&Status::NoShow).unwrap(),
            "\"no_show\""
        );
    }
}
