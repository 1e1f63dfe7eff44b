//! Edge cases of `place`, `next_call` and `project`, one rule per test.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;

const TZ: Tz = chrono_tz::UTC;

fn at(hh: u32, mm: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, hh, mm, 0).unwrap()
}

fn walk_in(id: i64, tier: Tier, party_size: u32, arrived_at: DateTime<Utc>) -> QueueEntry {
    QueueEntry {
        id,
        seq: id,
        class: Class::WalkIn,
        tier,
        party_size,
        arrived_at,
        slot_at: None,
    }
}

fn appointment(
    id: i64,
    tier: Tier,
    party_size: u32,
    arrived_at: DateTime<Utc>,
    slot_at: DateTime<Utc>,
) -> QueueEntry {
    QueueEntry {
        slot_at: Some(slot_at),
        class: Class::Appointment,
        ..walk_in(id, tier, party_size, arrived_at)
    }
}

fn call(entries: &[QueueEntry], state: &ShareState, now: DateTime<Utc>) -> Option<Call> {
    next_call(entries, &Policy::default(), TZ, state, now)
}

fn called_id(entries: &[QueueEntry], now: DateTime<Utc>) -> Option<i64> {
    call(entries, &ShareState::default(), now).map(|c| c.entry_id)
}

#[test]
fn appointment_is_not_callable_before_its_early_window() {
    let entries = [appointment(1, Tier::Standard, 1, at(8, 30), at(10, 0))];
    assert_eq!(place(&entries[0], &Policy::default()).eligible_at, at(9, 0));
    assert_eq!(called_id(&entries, at(8, 59)), None);
    assert_eq!(called_id(&entries, at(9, 0)), Some(1));
}

#[test]
fn appointment_arriving_inside_its_early_window_is_callable_on_arrival() {
    let entry = appointment(1, Tier::Standard, 1, at(9, 30), at(10, 0));
    let placement = place(&entry, &Policy::default());
    assert_eq!(placement.eligible_at, at(9, 30));
    assert_eq!(placement.queue_class, Class::Appointment);
    assert!(!placement.late);
}

#[test]
fn appointment_checked_in_exactly_at_the_late_window_is_still_an_appointment() {
    let entry = appointment(1, Tier::Standard, 1, at(11, 0), at(10, 0));
    let placement = place(&entry, &Policy::default());
    assert_eq!(placement.queue_class, Class::Appointment);
    assert!(!placement.late);
}

#[test]
fn late_appointment_is_ordered_with_walk_ins_from_its_arrival_and_keeps_its_booking() {
    let late = appointment(2, Tier::Standard, 1, at(11, 20), at(10, 0));
    let placement = place(&late, &Policy::default());
    assert!(placement.late);
    assert_eq!(placement.queue_class, Class::WalkIn);
    assert_eq!(placement.eligible_at, at(11, 20));
    assert_eq!(
        reason(&late, &Policy::default(), TZ),
        "appointment checked in late (slot 10:00): ordered with walk-ins from 11:20, \
         booking kept; walk-ins get 30% of officer time"
    );
    // An earlier walk-in goes before it: it is a walk-in now, first come first served.
    let entries = [late, walk_in(3, Tier::Standard, 1, at(11, 10))];
    assert_eq!(called_id(&entries, at(11, 30)), Some(3));
}

#[test]
fn priority_walk_in_passes_walk_ins_who_arrived_less_than_the_boost_before_it() {
    let entries = [
        walk_in(1, Tier::Standard, 1, at(9, 0)),
        walk_in(2, Tier::Priority, 1, at(10, 59)),
    ];
    assert_eq!(called_id(&entries, at(11, 0)), Some(2));
}

#[test]
fn walk_in_never_passed_by_priority_walk_in_arriving_more_than_the_boost_later() {
    let entries = [
        walk_in(1, Tier::Standard, 1, at(9, 0)),
        walk_in(2, Tier::Priority, 1, at(11, 1)),
    ];
    assert_eq!(called_id(&entries, at(11, 5)), Some(1));
}

#[test]
fn equal_effective_times_go_to_the_lower_ticket_sequence() {
    // Effective time 09:00 for both: the priority entry arrived exactly 2 h later.
    let mut entries = vec![
        walk_in(7, Tier::Priority, 1, at(11, 0)),
        walk_in(8, Tier::Standard, 1, at(9, 0)),
    ];
    assert_eq!(called_id(&entries, at(11, 0)), Some(7));
    entries[0].seq = 9;
    assert_eq!(called_id(&entries, at(11, 0)), Some(8));
}

#[test]
fn urgent_entry_is_called_before_earlier_entries_of_both_classes() {
    let entries = [
        walk_in(1, Tier::Priority, 1, at(8, 0)),
        appointment(2, Tier::Standard, 1, at(8, 0), at(9, 0)),
        walk_in(3, Tier::Urgent, 1, at(9, 30)),
        appointment(4, Tier::Urgent, 1, at(9, 0), at(12, 0)),
    ];
    // The urgent appointment is not eligible until 11:00; the urgent walk-in goes first.
    let first = call(&entries, &ShareState::default(), at(10, 0)).unwrap();
    assert_eq!(first.entry_id, 3);
    assert_eq!(first.reason, "urgent: called before everyone else");
}

#[test]
fn urgent_entries_go_by_earliest_eligible_time() {
    let entries = [
        walk_in(1, Tier::Urgent, 1, at(9, 40)),
        appointment(2, Tier::Urgent, 1, at(9, 0), at(10, 0)),
    ];
    // The appointment was eligible from 09:00, before the walk-in registered at 09:40.
    assert_eq!(called_id(&entries, at(10, 0)), Some(2));
}

#[test]
fn urgent_call_charges_its_class_credit() {
    let entries = [
        walk_in(1, Tier::Urgent, 4, at(9, 0)),
        appointment(2, Tier::Standard, 1, at(9, 0), at(9, 30)),
    ];
    let c = call(&entries, &ShareState::default(), at(9, 30)).unwrap();
    assert_eq!(c.entry_id, 1);
    // 4 persons x the appointment weight (7000): the urgent persons count toward the share.
    assert_eq!(c.state.walkin_credit, 4 * 7000);
    assert_eq!(c.state.appointment_credit, 0);
    assert!(!c.state.walkin_backlogged);
    assert!(c.state.appointment_backlogged);
}

/// Calls everyone eligible at `now`, one after the other, returning the ids in call order.
fn drain(entries: &[QueueEntry], policy: &Policy, now: DateTime<Utc>) -> Vec<i64> {
    let mut waiting = entries.to_vec();
    let mut state = ShareState::default();
    let mut order = Vec::new();
    while let Some(c) = next_call(&waiting, policy, TZ, &state, now) {
        waiting.retain(|e| e.id != c.entry_id);
        state = c.state;
        order.push(c.entry_id);
    }
    order
}

#[test]
fn both_classes_waiting_share_calls_by_persons_in_the_policy_ratio() {
    let mut entries = Vec::new();
    for i in 0..20 {
        entries.push(walk_in(i, Tier::Standard, 1, at(8, 0)));
        entries.push(appointment(100 + i, Tier::Standard, 1, at(8, 0), at(9, 0)));
    }
    let order = drain(&entries, &Policy::default(), at(9, 0));
    let walk_ins_in_first_ten = order[..10].iter().filter(|&&id| id < 100).count();
    assert_eq!(walk_ins_in_first_ten, 3);
}

#[test]
fn large_party_counts_as_its_persons_in_the_share() {
    // Finish tags from level credits: the family of 7 at 7 x 7000 = 49000, the k-th single
    // appointment at k x 3000. Appointments go while k x 3000 < 49000: 16 of them, about
    // 7 x 70/30 persons, before the family.
    let mut entries = vec![walk_in(1, Tier::Standard, 7, at(8, 0))];
    for i in 0..30 {
        entries.push(appointment(100 + i, Tier::Standard, 1, at(8, 0), at(9, 0)));
    }
    let order = drain(&entries, &Policy::default(), at(9, 0));
    assert_eq!(order.iter().position(|&id| id == 1), Some(16));
}

#[test]
fn idle_class_coming_back_is_raised_to_the_backlogged_class_credit() {
    // Appointments were called alone for a while (credit 70000); walk-ins had nobody.
    let state = ShareState {
        day: Some(at(0, 0).date_naive()),
        walkin_credit: 0,
        appointment_credit: 70_000,
        walkin_backlogged: false,
        appointment_backlogged: true,
        last_class: Some(Class::Appointment),
        walkin_weight: 3000,
    };
    let entries = [
        walk_in(1, Tier::Standard, 1, at(9, 0)),
        appointment(2, Tier::Standard, 1, at(8, 0), at(9, 0)),
    ];
    let c = call(&entries, &state, at(9, 5)).unwrap();
    // Without the raise the walk-in (finish 7000) would go before the appointment (73000).
    assert_eq!(c.entry_id, 2);
    assert_eq!(c.state.walkin_credit, 70_000);
    assert_eq!(c.state.appointment_credit, 73_000);
}

#[test]
fn class_refilled_between_two_calls_keeps_its_credit() {
    // The last call took the only walk-in; a new walk-in arrived before the next call.
    let state = ShareState {
        day: Some(at(0, 0).date_naive()),
        walkin_credit: 0,
        appointment_credit: 70_000,
        walkin_backlogged: false,
        appointment_backlogged: true,
        last_class: Some(Class::WalkIn),
        walkin_weight: 3000,
    };
    let entries = [
        walk_in(1, Tier::Standard, 1, at(9, 0)),
        appointment(2, Tier::Standard, 1, at(8, 0), at(9, 0)),
    ];
    let c = call(&entries, &state, at(9, 5)).unwrap();
    assert_eq!(c.entry_id, 1);
    assert_eq!(c.state.walkin_credit, 7000);
}

#[test]
fn credits_reset_when_nobody_was_left_after_the_last_call() {
    let state = ShareState {
        day: Some(at(0, 0).date_naive()),
        walkin_credit: 500_000,
        appointment_credit: 10_000,
        walkin_backlogged: false,
        appointment_backlogged: false,
        last_class: Some(Class::WalkIn),
        walkin_weight: 3000,
    };
    let entries = [walk_in(1, Tier::Standard, 2, at(9, 0))];
    let c = call(&entries, &state, at(9, 5)).unwrap();
    assert_eq!(c.state.walkin_credit, 2 * 7000);
    assert_eq!(c.state.appointment_credit, 0);
}

#[test]
fn credits_reset_at_port_local_midnight_not_at_utc_midnight() {
    let tijuana: Tz = "America/Tijuana".parse().unwrap();
    // 2026-11-25 in Tijuana (UTC-8) runs from 08:00 UTC on the 25th to 08:00 UTC on the 26th.
    let state = ShareState {
        day: Some(at(0, 0).date_naive()),
        walkin_credit: 21_000,
        appointment_credit: 30_000,
        walkin_backlogged: true,
        appointment_backlogged: true,
        last_class: Some(Class::Appointment),
        walkin_weight: 3000,
    };
    let late_evening = Utc.with_ymd_and_hms(2026, 11, 26, 7, 59, 0).unwrap();
    let midnight = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
    let entries = [
        walk_in(1, Tier::Standard, 1, at(20, 0)),
        appointment(2, Tier::Standard, 1, at(20, 0), at(20, 0)),
    ];
    let policy = Policy::default();
    let before = next_call(&entries, &policy, tijuana, &state, late_evening).unwrap();
    assert_eq!(before.state.day, state.day);
    // Same day: walk-in finish 21000 + 7000 = 28000 beats appointment 30000 + 3000.
    assert_eq!(before.entry_id, 1);
    assert_eq!(before.state.walkin_credit, 28_000);
    let after = next_call(&entries, &policy, tijuana, &state, midnight).unwrap();
    assert_eq!(after.state.day, Some(midnight.date_naive()));
    // Fresh day: level credits, the appointment's smaller finish (3000 < 7000) goes first.
    assert_eq!(after.entry_id, 2);
    assert_eq!(after.state.appointment_credit, 3000);
    assert_eq!(after.state.walkin_credit, 0);
}

#[test]
fn changed_walk_in_share_starts_the_sharing_afresh() {
    let state = ShareState {
        day: Some(at(0, 0).date_naive()),
        walkin_credit: 90_000,
        appointment_credit: 0,
        walkin_backlogged: true,
        appointment_backlogged: true,
        last_class: Some(Class::WalkIn),
        walkin_weight: 3000,
    };
    let entries = [
        walk_in(1, Tier::Standard, 1, at(9, 0)),
        appointment(2, Tier::Standard, 1, at(8, 0), at(9, 0)),
    ];
    let policy = Policy {
        walkin_share: 0.8,
        ..Policy::default()
    };
    let c = next_call(&entries, &policy, TZ, &state, at(9, 5)).unwrap();
    // With the old credits appointments would go; afresh, 80% walk-ins go first.
    assert_eq!(c.entry_id, 1);
    assert_eq!(c.state.walkin_weight, 8000);
    assert_eq!(c.state.walkin_credit, 2000);
}

#[test]
fn ties_between_classes_go_to_the_earlier_effective_time() {
    // 50/50 share, both size 1: equal finish tags; the appointment became eligible first.
    let policy = Policy {
        walkin_share: 0.5,
        ..Policy::default()
    };
    let entries = [
        walk_in(1, Tier::Standard, 1, at(9, 10)),
        appointment(2, Tier::Standard, 1, at(9, 5), at(10, 0)),
    ];
    let c = next_call(&entries, &policy, TZ, &ShareState::default(), at(9, 15)).unwrap();
    assert_eq!(c.entry_id, 2);
}

#[test]
fn nobody_eligible_means_no_call() {
    let entries = [appointment(1, Tier::Urgent, 1, at(8, 0), at(12, 0))];
    assert!(call(&entries, &ShareState::default(), at(10, 59)).is_none());
    assert!(call(&[], &ShareState::default(), at(10, 59)).is_none());
}

#[test]
fn reasons_name_the_rule_in_plain_words_in_port_time() {
    let policy = Policy::default();
    let tijuana: Tz = "America/Tijuana".parse().unwrap();
    let priority = walk_in(1, Tier::Priority, 1, at(17, 12));
    assert_eq!(
        reason(&priority, &policy, tijuana),
        "walk-in, waiting since 09:12; priority counts as 2 h earlier; \
         walk-ins get 30% of officer time"
    );
    let booked = appointment(2, Tier::Standard, 1, at(16, 30), at(18, 0));
    assert_eq!(
        reason(&booked, &policy, tijuana),
        "appointment for 10:00, callable from 09:00; appointments get 70% of officer time"
    );
}

fn counters(free_at: Vec<DateTime<Utc>>) -> Counters {
    Counters {
        free_at,
        minutes_per_person: 10.0,
        expected: Vec::new(),
    }
}

#[test]
fn projection_idles_a_counter_until_an_appointment_becomes_eligible() {
    let entries = [appointment(1, Tier::Standard, 2, at(8, 0), at(10, 0))];
    let projected = project(
        &entries,
        &Policy::default(),
        TZ,
        &ShareState::default(),
        at(8, 0),
        &counters(vec![at(8, 0)]),
    );
    assert_eq!(projected.len(), 1);
    // Callable from 09:00 at an idle counter with nobody else: every run calls it then, so
    // the window is the narrowest one from 09:00.
    let window = projected[0].estimate.unwrap();
    assert_eq!(window.earliest, at(9, 0));
    assert_eq!(window.latest, at(9, 10));
}

#[test]
fn projection_lists_everyone_in_call_order_with_widening_windows() {
    let entries: Vec<QueueEntry> = (1..=6)
        .map(|i| walk_in(i, Tier::Standard, 1, at(9, 0)))
        .collect();
    let projected = project(
        &entries,
        &Policy::default(),
        TZ,
        &ShareState::default(),
        at(9, 0),
        &counters(vec![at(9, 0), at(9, 5)]),
    );
    let ids: Vec<i64> = projected.iter().map(|p| p.entry_id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    assert_eq!(
        projected.iter().map(|p| p.position).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    // The first is called now by the idle counter in every run.
    let first = projected[0].estimate.unwrap();
    assert_eq!((first.earliest, first.latest), (at(9, 0), at(9, 10)));
    // Nominal call times 9:00, 9:05, 9:10, 9:15, 9:20, 9:25: each window holds its own,
    // and later places have later ends and (service times adding up) wider windows.
    let windows: Vec<Window> = projected.iter().map(|p| p.estimate.unwrap()).collect();
    for (k, w) in windows.iter().enumerate() {
        let nominal = at(9, 0) + Duration::minutes(5 * k as i64);
        assert!(w.earliest <= nominal && nominal <= w.latest, "{k}: {w:?}");
        assert!(w.latest - w.earliest >= Duration::minutes(MIN_WIDTH_MINUTES));
    }
    for pair in windows.windows(2) {
        assert!(pair[0].latest <= pair[1].latest);
    }
    assert!(windows[5].latest - windows[5].earliest > windows[1].latest - windows[1].earliest);
}

#[test]
fn no_counter_open_gives_no_window() {
    let entries = [walk_in(1, Tier::Standard, 1, at(9, 0))];
    let inputs = EstimateInputs {
        open: Vec::new(),
        ..EstimateInputs::from_counters(&counters(vec![at(9, 0)]), &Policy::default(), at(9, 0))
    };
    let projected = project_with(
        &entries,
        &Policy::default(),
        TZ,
        &ShareState::default(),
        at(9, 0),
        &inputs,
    );
    assert_eq!(projected.len(), 1);
    assert_eq!(projected[0].estimate, None);
}

#[test]
fn a_party_already_at_the_counter_a_while_is_expected_back_sooner() {
    // One counter, serving a party of three (30 minutes assumed); a walk-in waits. With the
    // party called 20 minutes ago, what remains of its service is shorter than with one
    // called just now, so the window ends earlier; in both it starts after now.
    let entries = [walk_in(1, Tier::Standard, 1, at(9, 0))];
    let window = |since: DateTime<Utc>| {
        let inputs = EstimateInputs {
            open: vec![OpenCounter::Serving {
                since,
                party_size: 3,
            }],
            ..EstimateInputs::from_counters(&counters(vec![at(9, 0)]), &Policy::default(), at(9, 0))
        };
        project_with(
            &entries,
            &Policy::default(),
            TZ,
            &ShareState::default(),
            at(9, 0),
            &inputs,
        )[0]
        .estimate
        .unwrap()
    };
    let (long, fresh) = (window(at(8, 40)), window(at(9, 0)));
    assert!(long.earliest > at(9, 0) && fresh.earliest > at(9, 0));
    assert!(long.latest < fresh.latest, "{long:?} {fresh:?}");
}

#[test]
fn counters_closing_by_plan_move_the_window_to_the_next_opening() {
    // Two walk-ins of 3 persons, one counter closing at 09:05 and planned open again the
    // next day at 08:00: the first is called now, the second the next morning.
    let entries = [
        walk_in(1, Tier::Standard, 3, at(9, 0)),
        walk_in(2, Tier::Standard, 3, at(9, 0)),
    ];
    let next_morning = at(8, 0) + Duration::days(1);
    let inputs = EstimateInputs {
        plan: vec![(at(9, 5), 0), (next_morning, 1)],
        ..EstimateInputs::from_counters(&counters(vec![at(9, 0)]), &Policy::default(), at(9, 0))
    };
    let projected = project_with(
        &entries,
        &Policy::default(),
        TZ,
        &ShareState::default(),
        at(9, 0),
        &inputs,
    );
    assert_eq!(projected[0].estimate.unwrap().earliest, at(9, 0));
    let second = projected[1].estimate.unwrap();
    assert_eq!(second.earliest, next_morning);
    assert_eq!(
        second.latest,
        next_morning + Duration::minutes(MIN_WIDTH_MINUTES)
    );
}
#[test]
fn urgent_persons_are_paid_back_to_the_other_class_afterwards() {
    // Three urgent appointment parties of 5 go first and charge 15 persons to appointments.
    let mut entries = Vec::new();
    for i in 0..3 {
        entries.push(appointment(i, Tier::Urgent, 5, at(8, 0), at(9, 0)));
    }
    for i in 0..10 {
        entries.push(walk_in(10 + i, Tier::Standard, 1, at(8, 0)));
        entries.push(appointment(100 + i, Tier::Standard, 1, at(8, 0), at(9, 0)));
    }
    let order = drain(&entries, &Policy::default(), at(9, 0));
    assert_eq!(&order[..3], [0, 1, 2]);
    // Then walk-ins catch up: finish tags k x 7000 against 45000 + 3000 for appointments,
    // so six walk-ins in a row. This is why G4 is only promised after urgent calls are
    // paid back (see tests/guarantees.rs, `check_share`).
    assert!(order[3..9].iter().all(|&id| (10..20).contains(&id)));
    assert!((100..110).contains(&order[9]));
}

/// A real morning: seven walk-in parties waiting, two counters busy for a while, nobody
/// with an appointment waiting or booked.
fn seven_walk_ins() -> Vec<QueueEntry> {
    [3, 2, 4, 1, 3, 2, 3]
        .into_iter()
        .enumerate()
        .map(|(k, party_size)| {
            walk_in(
                k as i64 + 1,
                Tier::Standard,
                party_size,
                at(9, 0) + Duration::minutes(20 * k as i64),
            )
        })
        .collect()
}

fn project_seven(expected: Vec<QueueEntry>) -> Vec<Projected> {
    let counters = Counters {
        expected,
        ..counters(vec![at(11, 40), at(11, 55)])
    };
    project(
        &seven_walk_ins(),
        &Policy::default(),
        TZ,
        &ShareState::default(),
        at(11, 30),
        &counters,
    )
}

#[test]
fn walk_in_windows_are_not_stretched_by_appointments_that_do_not_exist() {
    let projected = project_seven(Vec::new());
    assert_eq!(
        projected.iter().map(|p| p.entry_id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    // Nominal (10 min a person, counters free 11:40 and 11:55): calls at 11:40, 11:55,
    // 12:10, 12:15, 12:25, 12:50 and 12:55; every window holds its nominal call and the
    // seventh's closes within two hours of it. (The share rule of long ago, walk-ins
    // promised 30% of the counters though no appointment existed, closed it 6 h later.)
    let nominal = [
        (11, 40),
        (11, 55),
        (12, 10),
        (12, 15),
        (12, 25),
        (12, 50),
        (12, 55),
    ];
    for (p, (hh, mm)) in projected.iter().zip(nominal) {
        let w = p.estimate.unwrap();
        assert!(w.earliest <= at(hh, mm) && at(hh, mm) <= w.latest, "{w:?}");
    }
    assert!(projected[6].estimate.unwrap().latest - at(12, 55) <= Duration::hours(2));
}

#[test]
fn booked_appointments_not_yet_here_make_walk_ins_latest_later() {
    let booked = |id: i64, party_size: u32, slot: DateTime<Utc>| QueueEntry {
        id,
        seq: 0,
        class: Class::Appointment,
        tier: Tier::Standard,
        party_size,
        arrived_at: slot,
        slot_at: Some(slot),
    };
    let without = project_seven(Vec::new());
    // A family of 4 booked for 12:00.
    let with = project_seven(vec![booked(-1, 4, at(12, 0))]);
    // Same order: the booking may never come.
    for (w, p) in with.iter().zip(&without) {
        assert_eq!(w.entry_id, p.entry_id);
    }
    // When it comes it takes 70% of the counters while both classes wait: the last
    // walk-ins are called later.
    assert!(with[6].estimate.unwrap().latest > without[6].estimate.unwrap().latest);
    // A booking more than the late window (60 min) past its slot would come as a walk-in,
    // behind everyone waiting: it changes nothing.
    assert_eq!(project_seven(vec![booked(-2, 4, at(10, 0))]), without);
}

/// Calls everyone in `entries` one after another from `state`, returning the ids in call
/// order and the state after the last call.
fn call_all(entries: &[QueueEntry], mut state: ShareState, now: DateTime<Utc>) -> Vec<i64> {
    let mut left = entries.to_vec();
    let mut order = Vec::new();
    while let Some(c) = call(&left, &state, now) {
        order.push(c.entry_id);
        state = c.state;
        left.retain(|e| e.id != c.entry_id);
    }
    order
}

#[test]
fn an_undone_call_gives_back_its_share_so_the_order_is_as_if_it_never_happened() {
    // Both classes backlogged, with parties of different sizes so the shares matter.
    let mut entries = Vec::new();
    for i in 0..6 {
        entries.push(walk_in(
            i,
            Tier::Standard,
            1 + (i as u32 % 3),
            at(8, i as u32),
        ));
        entries.push(appointment(
            100 + i,
            Tier::Standard,
            1 + (i as u32 % 2),
            at(8, 30),
            at(9, i as u32),
        ));
    }
    let now = at(9, 10);
    let day = now.date_naive();
    // Two calls, then the second is undone: the entry is back with its own times.
    let first = call(&entries, &ShareState::default(), now).unwrap();
    let rest: Vec<_> = entries
        .iter()
        .filter(|e| e.id != first.entry_id)
        .cloned()
        .collect();
    let second = call(&rest, &first.state, now).unwrap();
    let undone_entry = rest.iter().find(|e| e.id == second.entry_id).unwrap();
    let restored = uncharge(&second.state, &Policy::default(), day, undone_entry);
    assert_eq!(restored.walkin_credit, first.state.walkin_credit);
    assert_eq!(restored.appointment_credit, first.state.appointment_credit);
    // Everyone left is called in the same order as if the second call never happened.
    assert_eq!(
        call_all(&rest, restored, now),
        call_all(&rest, first.state, now)
    );
    // Another day's state is left alone.
    let other_day = day.succ_opt().unwrap();
    assert_eq!(
        uncharge(&second.state, &Policy::default(), other_day, undone_entry),
        second.state
    );
}
