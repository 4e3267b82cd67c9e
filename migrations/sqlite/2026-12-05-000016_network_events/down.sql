DROP TABLE event_services;
DROP TABLE events;
