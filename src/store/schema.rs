//! The tables, as diesel sees them. Kept by hand beside `migrations/sqlite/`
//! and `migrations/postgres/`; the `schema_matches_the_migrations` test checks
//! that they agree.

diesel::table! {
    meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    needs (id) {
        id -> Text,
        slug -> Text,
        parent_id -> Nullable<Text>,
        label -> Text,
        description -> Text,
        position -> Integer,
    }
}

diesel::table! {
    need_terms (need_id, kind, term) {
        need_id -> Text,
        kind -> Text,
        term -> Text,
    }
}

diesel::table! {
    need_senses (need_id, sense, term) {
        need_id -> Text,
        sense -> Integer,
        term -> Text,
    }
}

diesel::table! {
    neighbourhoods (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        name_edited -> Bool,
        population -> Integer,
        small_area_count -> Integer,
        area_km2 -> Double,
        latitude -> Double,
        longitude -> Double,
        compactness -> Double,
        outside_band -> Nullable<Text>,
    }
}

diesel::table! {
    small_areas (code) {
        code -> Text,
        name -> Text,
        population -> Integer,
        latitude -> Double,
        longitude -> Double,
        neighbourhood_id -> Nullable<Text>,
        place -> Nullable<Text>,
        area_km2 -> Nullable<Double>,
    }
}

diesel::table! {
    small_area_cells (cell) {
        cell -> BigInt,
        small_area -> Text,
    }
}

diesel::table! {
    small_area_adjacency (small_area, neighbour) {
        small_area -> Text,
        neighbour -> Text,
        shared_boundary_m -> Nullable<Double>,
    }
}

diesel::table! {
    postcodes (postcode) {
        postcode -> Text,
        latitude -> Double,
        longitude -> Double,
        small_area_code -> Nullable<Text>,
        terminated -> Bool,
    }
}

diesel::table! {
    postcode_districts (district) {
        district -> Text,
        latitude -> Double,
        longitude -> Double,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        kind -> Text,
        charity_number -> Nullable<Text>,
        company_number -> Nullable<Text>,
        website -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        organisation_id -> Nullable<Text>,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_neighbourhoods (user_id, neighbourhood_id) {
        user_id -> Text,
        neighbourhood_id -> Text,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    password_links (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        description -> Text,
        status -> Text,
        referral_route -> Text,
        eligibility -> Nullable<Text>,
        min_age -> Nullable<Integer>,
        max_age -> Nullable<Integer>,
        cost -> Text,
        cost_description -> Nullable<Text>,
        area -> Text,
        area_radius_km -> Nullable<Double>,
        capacity -> Nullable<Text>,
        capacity_said_on -> Nullable<Date>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        website -> Nullable<Text>,
        last_verified_at -> Nullable<Timestamp>,
        last_verified_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        hours_text -> Nullable<Text>,
        area_regions -> Nullable<Text>,
        listed_by -> Nullable<Text>,
        archived_at -> Nullable<Timestamp>,
        placed -> Bool,
    }
}

diesel::table! {
    service_phones (service_id, position) {
        service_id -> Text,
        position -> Integer,
        number -> Text,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    service_keywords (service_id, keyword) {
        service_id -> Text,
        keyword -> Text,
    }
}

diesel::table! {
    service_needs (service_id, need_id) {
        service_id -> Text,
        need_id -> Text,
    }
}

diesel::table! {
    service_languages (service_id, language) {
        service_id -> Text,
        language -> Text,
    }
}

diesel::table! {
    service_delivery (service_id, mode) {
        service_id -> Text,
        mode -> Text,
    }
}

diesel::table! {
    service_area_neighbourhoods (service_id, neighbourhood_id) {
        service_id -> Text,
        neighbourhood_id -> Text,
    }
}

diesel::table! {
    locations (id) {
        id -> Text,
        organisation_id -> Nullable<Text>,
        name -> Text,
        address_1 -> Text,
        address_2 -> Nullable<Text>,
        town -> Text,
        postcode -> Text,
        latitude -> Double,
        longitude -> Double,
        small_area_code -> Nullable<Text>,
        neighbourhood_id -> Nullable<Text>,
        confidential -> Bool,
        entry_point -> Bool,
        step_free -> Nullable<Bool>,
        accessible_toilet -> Nullable<Bool>,
        hearing_loop -> Nullable<Bool>,
        parking -> Nullable<Bool>,
        public_transport -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        h3_cell -> Nullable<BigInt>,
        archived_at -> Nullable<Timestamp>,
        opening_hours -> Text,
        postal -> Bool,
    }
}

diesel::table! {
    service_at_locations (id) {
        id -> Text,
        service_id -> Text,
        location_id -> Text,
    }
}

diesel::table! {
    schedules (id) {
        id -> Text,
        service_id -> Text,
        location_id -> Nullable<Text>,
        freq -> Nullable<Text>,
        interval -> Integer,
        byday -> Text,
        bymonthday -> Text,
        dtstart -> Nullable<Date>,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        opens_at -> Nullable<Time>,
        closes_at -> Nullable<Time>,
        by_appointment -> Bool,
        closed_on -> Text,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        service_id -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        name -> Text,
        title -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        shown -> Bool,
    }
}

diesel::table! {
    search_changes (id) {
        id -> BigInt,
        service_id -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    search_followers (name) {
        name -> Text,
        last_change -> BigInt,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_failures (key_hash) {
        key_hash -> Text,
        failures -> Integer,
        last_failed_at -> Timestamp,
        reported -> Bool,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        changed_at -> Timestamp,
        user_id -> Nullable<Text>,
        record_kind -> Text,
        record_id -> Text,
        action -> Text,
        field -> Text,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    signpost_contacts (id) {
        id -> Text,
        advisor_id -> Text,
        started_at -> Timestamp,
        channel -> Text,
        been_before -> Text,
        escalated -> Bool,
        neighbourhood_id -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signpost_needs (contact_id, need_id) {
        contact_id -> Text,
        need_id -> Text,
        unmet -> Bool,
    }
}

diesel::table! {
    shortlist_items (contact_id, service_id) {
        contact_id -> Text,
        service_id -> Text,
        position -> Integer,
        note -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        contact_id -> Nullable<Text>,
        kind -> Text,
        recipient -> Text,
        message -> Binary,
        queued_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        gave_up_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    follow_ups (contact_id) {
        contact_id -> Text,
        address -> Nullable<Text>,
        due_at -> Timestamp,
        token_hash -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(need_senses -> needs (need_id));
diesel::joinable!(need_terms -> needs (need_id));
diesel::joinable!(services -> organisations (organisation_id));
diesel::joinable!(service_needs -> services (service_id));
diesel::joinable!(service_phones -> services (service_id));
diesel::joinable!(service_keywords -> services (service_id));
diesel::joinable!(service_needs -> needs (need_id));
diesel::joinable!(service_at_locations -> services (service_id));
diesel::joinable!(service_at_locations -> locations (location_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(user_neighbourhoods -> users (user_id));
diesel::joinable!(schedules -> services (service_id));
diesel::joinable!(small_areas -> neighbourhoods (neighbourhood_id));
diesel::joinable!(service_area_neighbourhoods -> neighbourhoods (neighbourhood_id));
diesel::joinable!(small_area_cells -> small_areas (small_area));
diesel::joinable!(signpost_needs -> signpost_contacts (contact_id));
diesel::joinable!(signpost_needs -> needs (need_id));
diesel::joinable!(shortlist_items -> signpost_contacts (contact_id));
diesel::joinable!(shortlist_items -> services (service_id));
diesel::joinable!(signpost_contacts -> users (advisor_id));
diesel::joinable!(follow_ups -> signpost_contacts (contact_id));

diesel::table! {
    imports (id) {
        id -> Text,
        source -> Text,
        kind -> Text,
        upload -> Nullable<Binary>,
        chosen_columns -> Text,
        state -> Text,
        skip_rejected -> Bool,
        merge -> Text,
        progress -> Text,
        report -> Nullable<Text>,
        error -> Nullable<Text>,
        requested_by -> Text,
        requested_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    merged_records (source_id) {
        source_id -> Text,
        into_id -> Text,
        kind -> Text,
        merged_at -> Timestamp,
    }
}

diesel::table! {
    neighbour_feeds (id) {
        id -> Text,
        area -> Text,
        url -> Text,
        added_by -> Text,
        added_at -> Timestamp,
        next_read_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_read_at -> Nullable<Timestamp>,
        last_good_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        services -> Integer,
    }
}

diesel::table! {
    neighbour_feed_copies (feed_id, url) {
        feed_id -> Text,
        url -> Text,
        etag -> Nullable<Text>,
        last_modified -> Nullable<Text>,
        body -> Binary,
    }
}

diesel::table! {
    proposals (id) {
        id -> Text,
        kind -> Text,
        record_id -> Nullable<Text>,
        form -> Nullable<Text>,
        message -> Nullable<Text>,
        proposed_by -> Nullable<Text>,
        email -> Nullable<Text>,
        proposed_at -> Timestamp,
        state -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        sender_hash -> Nullable<Text>,
    }
}

diesel::table! {
    reminders (token_hash) {
        token_hash -> Text,
        organisation_id -> Text,
        sent_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    reminder_services (token_hash, service_id) {
        token_hash -> Text,
        service_id -> Text,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    queue_summaries (user_id) {
        user_id -> Text,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(imports -> users (requested_by));
diesel::joinable!(reminder_services -> reminders (token_hash));
diesel::joinable!(reminder_services -> services (service_id));
diesel::joinable!(password_links -> users (user_id));

// The tables that imports and neighbouring feeds join, kept to the pairs
// that are joined: every table added to the list below makes diesel check
// every query against more pairs, and the compiler's memory grows with them.
diesel::allow_tables_to_appear_in_same_query!(imports, users);
diesel::allow_tables_to_appear_in_same_query!(password_links, users);
diesel::allow_tables_to_appear_in_same_query!(reminders, reminder_services);
diesel::allow_tables_to_appear_in_same_query!(reminder_services, services);
diesel::allow_tables_to_appear_in_same_query!(reminders, organisations);
diesel::allow_tables_to_appear_in_same_query!(services, neighbour_feeds);

diesel::table! {
    network_sources (id) {
        id -> Text,
        network_id -> Text,
        kind -> Text,
        name -> Text,
        url -> Text,
        member_id -> Text,
        added_by -> Text,
        added_at -> Timestamp,
        next_read_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_read_at -> Nullable<Timestamp>,
        last_good_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        failures -> Integer,
        etag -> Nullable<Text>,
        last_modified -> Nullable<Text>,
        items -> Integer,
    }
}

diesel::table! {
    source_items (source_id, item_key) {
        source_id -> Text,
        item_key -> Text,
        thread_id -> Nullable<Text>,
        event_id -> Nullable<Text>,
        fingerprint -> Text,
    }
}

diesel::joinable!(source_items -> network_sources (source_id));
diesel::joinable!(network_sources -> networks (network_id));
diesel::allow_tables_to_appear_in_same_query!(network_sources, source_items);
diesel::allow_tables_to_appear_in_same_query!(network_sources, networks);
diesel::allow_tables_to_appear_in_same_query!(source_items, threads);
diesel::allow_tables_to_appear_in_same_query!(source_items, events);

diesel::allow_tables_to_appear_in_same_query!(
    meta,
    needs,
    need_senses,
    need_terms,
    neighbourhoods,
    small_areas,
    small_area_cells,
    small_area_adjacency,
    postcodes,
    postcode_districts,
    organisations,
    users,
    user_neighbourhoods,
    sessions,
    services,
    service_needs,
    service_phones,
    service_keywords,
    service_languages,
    service_delivery,
    service_area_neighbourhoods,
    locations,
    service_at_locations,
    schedules,
    contacts,
    search_changes,
    search_followers,
    sign_in_failures,
    changes,
    signpost_contacts,
    signpost_needs,
    shortlist_items,
    outbox,
    follow_ups,
);

// The neighbourhood networks.
diesel::table! {
    networks (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        about -> Text,
        neighbourhood_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        approve_first_posts -> Bool,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        email -> Nullable<Text>,
        display_name -> Text,
        password_hash -> Nullable<Text>,
        user_id -> Nullable<Text>,
        joined_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        trusted_at -> Nullable<Timestamp>,
        notified_at -> Nullable<Timestamp>,
        emails_off_at -> Nullable<Timestamp>,
        digest -> Text,
    }
}

diesel::table! {
    digests (member_id, period) {
        member_id -> Text,
        period -> Text,
        sent_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(digests, members);
diesel::allow_tables_to_appear_in_same_query!(digests, users);

diesel::table! {
    member_sessions (token_hash) {
        token_hash -> Text,
        member_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    member_links (token_hash) {
        token_hash -> Text,
        member_id -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    network_follows (member_id, network_id) {
        member_id -> Text,
        network_id -> Text,
        followed_at -> Timestamp,
    }
}

diesel::table! {
    threads (id) {
        id -> Text,
        network_id -> Text,
        title -> Text,
        author_id -> Text,
        started_at -> Timestamp,
        last_posted_at -> Timestamp,
        replies -> Integer,
        visible -> Bool,
        locked_at -> Nullable<Timestamp>,
        link -> Nullable<Text>,
    }
}

diesel::table! {
    posts (id) {
        id -> Text,
        thread_id -> Text,
        number -> Integer,
        author_id -> Text,
        body -> Text,
        posted_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        held -> Bool,
        html -> Bool,
    }
}

diesel::table! {
    thread_services (thread_id, service_id) {
        thread_id -> Text,
        service_id -> Text,
    }
}

diesel::table! {
    thread_organisations (thread_id, organisation_id) {
        thread_id -> Text,
        organisation_id -> Text,
    }
}

diesel::table! {
    thread_needs (thread_id, need_id) {
        thread_id -> Text,
        need_id -> Text,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        post_id -> Text,
        reported_by -> Text,
        reason -> Text,
        details -> Text,
        reported_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
    }
}

diesel::table! {
    suspensions (id) {
        id -> Text,
        member_id -> Text,
        network_id -> Nullable<Text>,
        reason -> Text,
        suspended_by -> Text,
        suspended_at -> Timestamp,
        lifted_at -> Nullable<Timestamp>,
        lifted_by -> Nullable<Text>,
    }
}

diesel::table! {
    moderation_log (id) {
        id -> Text,
        acted_at -> Timestamp,
        moderator -> Text,
        action -> Text,
        network_id -> Nullable<Text>,
        thread_id -> Nullable<Text>,
        post_id -> Nullable<Text>,
        member_id -> Nullable<Text>,
        reason -> Text,
        event_id -> Nullable<Text>,
        notice_id -> Nullable<Text>,
    }
}

diesel::table! {
    thread_follows (member_id, thread_id) {
        member_id -> Text,
        thread_id -> Text,
        followed_at -> Timestamp,
    }
}

diesel::table! {
    notifications (member_id, post_id) {
        member_id -> Text,
        post_id -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(thread_follows -> members (member_id));
diesel::joinable!(thread_follows -> threads (thread_id));
diesel::joinable!(notifications -> members (member_id));
diesel::joinable!(notifications -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(thread_follows, members);
diesel::allow_tables_to_appear_in_same_query!(thread_follows, threads);
diesel::allow_tables_to_appear_in_same_query!(notifications, members);
diesel::allow_tables_to_appear_in_same_query!(notifications, posts);
diesel::allow_tables_to_appear_in_same_query!(notifications, threads);
diesel::allow_tables_to_appear_in_same_query!(notifications, networks);
diesel::table! {
    events (id) {
        id -> Text,
        network_id -> Text,
        author_id -> Text,
        title -> Text,
        description -> Text,
        local_starts -> Timestamp,
        local_ends -> Timestamp,
        repeats -> Nullable<Text>,
        repeat_until -> Nullable<Date>,
        first_starts_at -> Timestamp,
        last_ends_at -> Timestamp,
        location_id -> Nullable<Text>,
        address -> Text,
        postcode -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        neighbourhood_id -> Nullable<Text>,
        free -> Bool,
        cost -> Nullable<Text>,
        access -> Nullable<Text>,
        who_for -> Nullable<Text>,
        created_at -> Timestamp,
        hidden_at -> Nullable<Timestamp>,
        link -> Nullable<Text>,
    }
}

diesel::table! {
    event_services (event_id, service_id) {
        event_id -> Text,
        service_id -> Text,
    }
}

diesel::joinable!(events -> networks (network_id));
diesel::joinable!(event_services -> events (event_id));
diesel::joinable!(event_services -> services (service_id));
diesel::allow_tables_to_appear_in_same_query!(events, networks);
diesel::allow_tables_to_appear_in_same_query!(events, locations);
diesel::allow_tables_to_appear_in_same_query!(events, neighbourhoods);
diesel::allow_tables_to_appear_in_same_query!(event_services, events);
diesel::allow_tables_to_appear_in_same_query!(event_services, services);
diesel::allow_tables_to_appear_in_same_query!(event_services, organisations);
diesel::table! {
    notices (id) {
        id -> Text,
        service_id -> Text,
        author_id -> Text,
        body -> Text,
        capacity -> Nullable<Text>,
        posted_at -> Timestamp,
        hidden_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(notices -> services (service_id));
diesel::allow_tables_to_appear_in_same_query!(notices, services);
diesel::joinable!(reports -> posts (post_id));
diesel::joinable!(reports -> members (reported_by));
diesel::joinable!(suspensions -> members (member_id));
diesel::joinable!(moderation_log -> users (moderator));
diesel::allow_tables_to_appear_in_same_query!(reports, posts);
diesel::allow_tables_to_appear_in_same_query!(reports, threads);
diesel::allow_tables_to_appear_in_same_query!(reports, members);
diesel::allow_tables_to_appear_in_same_query!(suspensions, members);
diesel::allow_tables_to_appear_in_same_query!(suspensions, networks);
diesel::allow_tables_to_appear_in_same_query!(suspensions, users);
diesel::allow_tables_to_appear_in_same_query!(moderation_log, users);
diesel::allow_tables_to_appear_in_same_query!(posts, networks);
diesel::joinable!(networks -> neighbourhoods (neighbourhood_id));
diesel::joinable!(members -> users (user_id));
diesel::joinable!(member_sessions -> members (member_id));
diesel::joinable!(member_links -> members (member_id));
diesel::joinable!(network_follows -> members (member_id));
diesel::joinable!(network_follows -> networks (network_id));
diesel::joinable!(threads -> networks (network_id));
diesel::joinable!(threads -> members (author_id));
diesel::joinable!(posts -> threads (thread_id));
diesel::joinable!(posts -> members (author_id));
diesel::joinable!(thread_services -> threads (thread_id));
diesel::joinable!(thread_services -> services (service_id));
diesel::joinable!(thread_organisations -> threads (thread_id));
diesel::joinable!(thread_organisations -> organisations (organisation_id));
diesel::joinable!(thread_needs -> threads (thread_id));
diesel::joinable!(thread_needs -> needs (need_id));

diesel::allow_tables_to_appear_in_same_query!(networks, neighbourhoods);
diesel::allow_tables_to_appear_in_same_query!(members, users);
diesel::allow_tables_to_appear_in_same_query!(member_sessions, members);
diesel::allow_tables_to_appear_in_same_query!(member_sessions, users);
diesel::allow_tables_to_appear_in_same_query!(member_links, members);
diesel::allow_tables_to_appear_in_same_query!(network_follows, members);
diesel::allow_tables_to_appear_in_same_query!(network_follows, networks);
diesel::allow_tables_to_appear_in_same_query!(threads, networks);
diesel::allow_tables_to_appear_in_same_query!(threads, members);
diesel::allow_tables_to_appear_in_same_query!(posts, threads);
diesel::allow_tables_to_appear_in_same_query!(posts, members);
diesel::allow_tables_to_appear_in_same_query!(posts, users);
diesel::allow_tables_to_appear_in_same_query!(threads, users);
diesel::allow_tables_to_appear_in_same_query!(thread_services, threads);
diesel::allow_tables_to_appear_in_same_query!(thread_services, services);
diesel::allow_tables_to_appear_in_same_query!(thread_services, organisations);
diesel::allow_tables_to_appear_in_same_query!(thread_organisations, threads);
diesel::allow_tables_to_appear_in_same_query!(thread_organisations, organisations);
diesel::allow_tables_to_appear_in_same_query!(thread_needs, threads);
diesel::allow_tables_to_appear_in_same_query!(thread_needs, needs);

diesel::table! {
    activity_changes (id) {
        id -> BigInt,
        subject -> Text,
        changed_at -> Timestamp,
    }
}
diesel::allow_tables_to_appear_in_same_query!(event_services, service_needs);
diesel::allow_tables_to_appear_in_same_query!(event_services, needs);
diesel::allow_tables_to_appear_in_same_query!(threads, neighbourhoods);

diesel::table! {
    item_reports (id) {
        id -> Text,
        event_id -> Nullable<Text>,
        notice_id -> Nullable<Text>,
        reported_by -> Text,
        reason -> Text,
        details -> Text,
        reported_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
    }
}
diesel::joinable!(item_reports -> members (reported_by));
diesel::allow_tables_to_appear_in_same_query!(item_reports, members);

diesel::table! {
    speakers (id) {
        id -> Text,
        member_id -> Text,
        organisation_id -> Text,
        asked_at -> Timestamp,
        agreed_at -> Nullable<Timestamp>,
        refused_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
    }
}
diesel::joinable!(speakers -> members (member_id));
diesel::joinable!(speakers -> organisations (organisation_id));
diesel::allow_tables_to_appear_in_same_query!(speakers, members);
diesel::allow_tables_to_appear_in_same_query!(speakers, organisations);
diesel::allow_tables_to_appear_in_same_query!(members, organisations);
