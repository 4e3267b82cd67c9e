-- SQLite's migration of this name keeps its link tables (a service's needs,
-- languages, ways of being reached, neighbourhoods and keywords) in their
-- keys alone. PostgreSQL always keeps a table apart from its indexes, so
-- there is nothing to change here; the migration is kept so that both
-- databases have the same list (and a statement, as an empty one is refused).
SELECT 1;
