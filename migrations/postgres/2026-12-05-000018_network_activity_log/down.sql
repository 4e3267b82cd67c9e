DROP TABLE activity_changes;
