//! A range of days (a week, a month) summed from daily reports.

use std::collections::BTreeMap;

use super::compute::summarize;
use super::{
    Count, DailyReport, DaySummary, Figures, LanguagePasses, MAX_LISTED_OVERTAKES, RangeReport,
    Samples,
};

fn add_counts(into: &mut BTreeMap<String, Count>, from: &BTreeMap<String, Count>) {
    for (key, count) in from {
        into.entry(key.clone()).or_default().add(*count);
    }
}

/// Adds a day's passes for language: counts add up, the longest is the longest of the
/// days', the limit the smallest, within the limit only if every day was.
fn add_language_passes(into: &mut LanguagePasses, day: &LanguagePasses) {
    into.passes += day.passes;
    into.parties += day.parties;
    into.beyond_rule += day.beyond_rule;
    let room = MAX_LISTED_OVERTAKES.saturating_sub(into.breaches.len());
    into.breaches
        .extend(day.breaches.iter().take(room).cloned());
    into.longest_minutes = match (into.longest_minutes, day.longest_minutes) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    into.wait_limit_minutes = match (into.wait_limit_minutes, day.wait_limit_minutes) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    into.within_limit = match (into.within_limit, day.within_limit) {
        (Some(a), Some(b)) => Some(a && b),
        (a, b) => a.or(b),
    };
}

/// Sums daily reports of one port into a range report.
///
/// Counts are added. The days are taken in date order: `carried_in` is the first day's,
/// `waiting` and `carried_over` the last day's (so the conservation identity still holds for
/// consecutive days). Medians, percentiles and maxima of waits, the estimates' median error
/// and share after the window, officers' and counters' median service times and the walk-in
/// share served are **recomputed from every day's samples**, never averaged. The longest wait
/// of a standard single is the longest of the days'. The share target is the last day's;
/// `walkin_share_target_varied` says when the days' targets differed; the days' policy
/// changes and share periods are listed one after the other and the share is judged from
/// them, each against its own target. Waits still running are the last day's. The
/// per-language figures are summed by [`super::sum_languages`].
pub fn sum(reports: &[DailyReport]) -> RangeReport {
    let mut days: Vec<&DailyReport> = reports.iter().collect();
    days.sort_by_key(|day| day.date);

    let mut figures = Figures::default();
    let mut samples = Samples::default();
    let mut daily = Vec::with_capacity(days.len());
    let mut warnings = Vec::new();
    for day in &days {
        let f = &day.figures;
        let w = &mut figures.walk_ins;
        w.parties += f.walk_ins.parties;
        w.persons += f.walk_ins.persons;
        add_counts(&mut w.by_barrier, &f.walk_ins.by_barrier);
        add_counts(&mut w.by_language, &f.walk_ins.by_language);
        add_counts(&mut w.by_tier, &f.walk_ins.by_tier);

        let a = &mut figures.appointments;
        a.booked += f.appointments.booked;
        a.checked_in += f.appointments.checked_in;
        a.persons += f.appointments.persons;
        a.early += f.appointments.early;
        a.on_time += f.appointments.on_time;
        a.late += f.appointments.late;
        a.not_arrived += f.appointments.not_arrived;

        let o = &mut figures.outcomes;
        o.arrived += f.outcomes.arrived;
        o.served += f.outcomes.served;
        o.served_persons += f.outcomes.served_persons;
        o.no_show += f.outcomes.no_show;
        o.withdrawn += f.outcomes.withdrawn;

        let fair = &mut figures.fairness;
        fair.served_persons_walk_in += f.fairness.served_persons_walk_in;
        fair.served_persons_appointment += f.fairness.served_persons_appointment;
        fair.overtakes_beyond_bound += f.fairness.overtakes_beyond_bound;
        let room = MAX_LISTED_OVERTAKES.saturating_sub(fair.overtakes.len());
        fair.overtakes
            .extend(f.fairness.overtakes.iter().take(room).cloned());
        if let Some(longest) = &f.fairness.longest_standard_single_wait {
            if fair
                .longest_standard_single_wait
                .as_ref()
                .is_none_or(|current| longest.minutes > current.minutes)
            {
                fair.longest_standard_single_wait = Some(longest.clone());
            }
        }

        add_language_passes(&mut fair.language_passes, &f.fairness.language_passes);

        fair.policy_changes
            .extend(f.fairness.policy_changes.iter().cloned());
        fair.periods.extend(f.fairness.periods.iter().cloned());

        let s = &day.samples;
        samples.waits.extend_from_slice(&s.waits);
        samples.estimates.extend_from_slice(&s.estimates);
        samples.calls.extend_from_slice(&s.calls);
        samples.services.extend_from_slice(&s.services);
        samples
            .officer_names
            .extend(s.officer_names.iter().map(|(id, name)| (*id, name.clone())));

        daily.push(DaySummary {
            date: day.date,
            hours: day.hours,
            hours_counted: day.hours_counted(),
            arrivals: f.outcomes.arrived,
            calls: day.hourly.iter().map(|h| h.calls).sum(),
            served: f.outcomes.served,
            no_show: f.outcomes.no_show,
            withdrawn: f.outcomes.withdrawn,
            waiting_at_end: f.outcomes.waiting,
            overtakes_beyond_bound: f.fairness.overtakes_beyond_bound,
        });
        warnings.extend(day.warnings.iter().map(|w| format!("{}: {w}", day.date)));
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        figures.outcomes.carried_in = first.figures.outcomes.carried_in;
        figures.outcomes.waiting = last.figures.outcomes.waiting;
        figures.outcomes.carried_over = last.figures.outcomes.carried_over.clone();
        // Who is still waiting is the last day's: earlier days' waiters were carried on.
        samples
            .still_waiting
            .clone_from(&last.samples.still_waiting);
        figures.fairness.walkin_share_target = last.policy.walkin_share;
        figures.fairness.walkin_share_target_varied = days
            .iter()
            .any(|day| day.policy.walkin_share != last.policy.walkin_share);
    }
    summarize(&samples, &mut figures);

    RangeReport {
        port: days.first().map(|d| d.port.clone()).unwrap_or_default(),
        port_name: days
            .first()
            .map(|d| d.port_name.clone())
            .unwrap_or_default(),
        from: days.first().map(|d| d.date),
        to: days.last().map(|d| d.date),
        asked_to: None,
        days: days.len() as u32,
        complete: days.iter().all(|d| d.complete),
        as_of: days.last().and_then(|d| d.as_of),
        figures,
        languages: super::sum_languages(days.iter().map(|day| day.languages.as_slice())),
        daily,
        warnings,
    }
}
