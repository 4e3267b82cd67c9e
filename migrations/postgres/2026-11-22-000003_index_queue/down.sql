DROP TABLE index_queue;
