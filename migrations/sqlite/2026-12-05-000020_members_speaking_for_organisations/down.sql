DROP TABLE speakers;
