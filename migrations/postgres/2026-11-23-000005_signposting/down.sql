DROP TABLE follow_ups;
DROP TABLE outbox;
DROP TABLE shortlist_items;
DROP TABLE signpost_needs;
DROP TABLE signpost_contacts;
