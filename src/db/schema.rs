//! Diesel's view of the tables in `migrations/{sqlite,postgres}`: one schema for both backends.

diesel::table! {
    ports (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        timezone -> Text,
        walkin_share -> Double,
        priority_boost_minutes -> Integer,
        early_window_minutes -> Integer,
        late_window_minutes -> Integer,
        max_recalls -> Integer,
        minutes_per_person -> Integer,
        share_state -> Text,
        next_walkin_number -> Integer,
        next_appointment_number -> Integer,
        revision -> BigInt,
        printer_addr -> Nullable<Text>,
        created_at -> Timestamp,
        printer_paper_mm -> Integer,
        instance -> Text,
        retention_days -> Integer,
        announce_ticket_language -> Bool,
        default_languages -> Text,
        language_wait_limit_minutes -> Integer,
        sms_near_ahead -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        port_id -> Nullable<BigInt>,
        must_change_password -> Bool,
        active -> Bool,
        created_at -> Timestamp,
        languages -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        revoked -> Bool,
    }
}

diesel::table! {
    appointments (id) {
        id -> BigInt,
        port_id -> BigInt,
        confirmation -> Text,
        slot_at -> Timestamp,
        party_size -> Integer,
        name -> Text,
        nationality -> Text,
        language -> Text,
        imported_at -> Timestamp,
        imported_by -> Nullable<BigInt>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    entries (id) {
        id -> BigInt,
        port_id -> BigInt,
        ticket -> Text,
        class -> Text,
        tier -> Text,
        party_size -> Integer,
        language -> Text,
        barriers -> Text,
        barrier_note -> Nullable<Text>,
        vulnerabilities -> Text,
        urgent_reason -> Nullable<Text>,
        name -> Nullable<Text>,
        nationality -> Nullable<Text>,
        appointment_id -> Nullable<BigInt>,
        slot_at -> Nullable<Timestamp>,
        arrived_at -> Timestamp,
        status -> Text,
        counter -> Nullable<Integer>,
        called_at -> Nullable<Timestamp>,
        recalls -> Integer,
        finished_at -> Nullable<Timestamp>,
        status_token -> Text,
        call_reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        prints -> Integer,
        erased_at -> Nullable<Timestamp>,
        language_passed_at -> Nullable<Timestamp>,
        language_matched -> Nullable<Bool>,
        interpreter_needed -> Bool,
        interpreter_requested -> Bool,
    }
}

diesel::table! {
    entry_events (id) {
        id -> BigInt,
        entry_id -> BigInt,
        port_id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        counter -> Nullable<Integer>,
        detail -> Text,
    }
}

diesel::table! {
    policy_changes (id) {
        id -> BigInt,
        port_id -> BigInt,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
        before_policy -> Text,
        after_policy -> Text,
    }
}

diesel::table! {
    access_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> BigInt,
        port_id -> Nullable<BigInt>,
        entry_id -> Nullable<BigInt>,
        action -> Text,
    }
}

diesel::table! {
    report_days (port_id, date) {
        port_id -> BigInt,
        date -> Text,
        format -> Integer,
        time_zone -> Text,
        day_end -> Timestamp,
        computed_at -> Timestamp,
        figures -> Text,
    }
}

diesel::table! {
    sign_in_throttle (id) {
        id -> BigInt,
        bucket -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        port_id -> Nullable<BigInt>,
        subject -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    counter_plans (port_id, hour) {
        port_id -> BigInt,
        hour -> BigInt,
        counters -> Integer,
    }
}

diesel::table! {
    counter_languages (port_id, counter) {
        port_id -> BigInt,
        counter -> BigInt,
        languages -> Text,
        opened_by -> Nullable<BigInt>,
        opened_at -> Timestamp,
    }
}

diesel::table! {
    counter_language_changes (id) {
        id -> BigInt,
        port_id -> BigInt,
        counter -> BigInt,
        languages -> Nullable<Text>,
        changed_by -> Nullable<BigInt>,
        at -> Timestamp,
    }
}

diesel::table! {
    entry_phones (entry_id) {
        entry_id -> BigInt,
        port_id -> BigInt,
        phone -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outgoing_messages (id) {
        id -> BigInt,
        port_id -> BigInt,
        entry_id -> BigInt,
        kind -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> ports (port_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(appointments -> ports (port_id));
diesel::joinable!(entries -> ports (port_id));
diesel::joinable!(entry_events -> entries (entry_id));

diesel::allow_tables_to_appear_in_same_query!(
    ports,
    users,
    sessions,
    api_tokens,
    appointments,
    entries,
    entry_events,
    policy_changes,
    access_log,
    report_days,
    sign_in_throttle,
    audit_events,
    counter_plans,
    counter_languages,
    entry_phones,
    outgoing_messages,
    counter_language_changes,
);
