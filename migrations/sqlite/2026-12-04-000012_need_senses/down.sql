DROP TABLE need_senses;
