-- Run by psql against the capture server. After every statement psql's own variables SQLSTATE and
-- ROW_COUNT are echoed on a line starting with @@; postgresql.sh pairs them with the statements.
DROP TABLE IF EXISTS accounts;
\echo @@ :SQLSTATE :ROW_COUNT
CREATE TABLE accounts (id serial PRIMARY KEY, owner text NOT NULL, balance numeric DEFAULT 0);
\echo @@ :SQLSTATE :ROW_COUNT
INSERT INTO accounts (owner, balance) VALUES ('alice', 100), ('bob', 50), ('carol', 0);
\echo @@ :SQLSTATE :ROW_COUNT
UPDATE accounts SET balance = balance - 10.5 WHERE owner = 'alice';
\echo @@ :SQLSTATE :ROW_COUNT
SELECT owner, balance FROM accounts WHERE balance > 20 ORDER BY owner;
\echo @@ :SQLSTATE :ROW_COUNT
SELECT * FROM accounts WHERE owner = 'nobody';
\echo @@ :SQLSTATE :ROW_COUNT
BEGIN;
\echo @@ :SQLSTATE :ROW_COUNT
DELETE FROM accounts WHERE balance = 0;
\echo @@ :SQLSTATE :ROW_COUNT
ROLLBACK;
\echo @@ :SQLSTATE :ROW_COUNT
INSERT INTO accounts (id, owner) VALUES (1, 'duplicate');
\echo @@ :SQLSTATE :ROW_COUNT
COPY accounts (owner, balance) FROM STDIN;
dave	5
erin	7
\.
\echo @@ :SQLSTATE :ROW_COUNT
COPY accounts TO STDOUT;
\echo @@ :SQLSTATE :ROW_COUNT
LISTEN balance_changed;
\echo @@ :SQLSTATE :ROW_COUNT
NOTIFY balance_changed, 'alice';
\echo @@ :SQLSTATE :ROW_COUNT
SELEC 1;
\echo @@ :SQLSTATE :ROW_COUNT
SELECT count(*) FROM accounts;
\echo @@ :SQLSTATE :ROW_COUNT
