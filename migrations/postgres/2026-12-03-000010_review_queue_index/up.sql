-- The review queue reads its two parts (never checked, then checked before a
-- date) as ranges of services_last_verified; this index is no longer read.
DROP INDEX services_review_order;
