CREATE INDEX services_review_order ON services ((last_verified_at IS NOT NULL), last_verified_at, id);
