-- The manager role (reports and customer analytics). SQLite cannot alter a
-- CHECK constraint, and rebuilding users would cascade into every table
-- that references it (foreign keys cannot be switched off inside the
-- migration's transaction). Widening a CHECK does not change how rows are
-- stored, so the documented way is to edit the table's definition in the
-- schema (sqlite.org/lang_altertable.html, "making other kinds of table
-- schema changes"); RESET makes this connection re-read it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (role IN (''customer'', ''agent'', ''editor'', ''admin''))', 'CHECK (role IN (''customer'', ''agent'', ''editor'', ''manager'', ''admin''))') WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- Editing the schema does not move the schema version, so connections that
-- read the schema before would keep the old constraint; creating and
-- dropping a table moves it, and every connection re-reads the schema.
CREATE TABLE manager_role_schema_bump (x INTEGER);
DROP TABLE manager_role_schema_bump;
