-- sqlite3.sql - the recorder benchmark's sqlite3 workload: insert, index,
-- query, update, delete, on a database file, run by the sqlite3 CLI as
--   sqlite3 DB < sqlite3.sql
-- Deterministic (no random()), about 2-5 s uninstrumented on a small
-- machine.  The last line prints the process's peak RSS as "VmHWM: N kB"
-- through a shell child that reads its parent's status.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -16000;
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER,
                  price REAL, note TEXT);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000)
INSERT INTO item
SELECT x,
       printf('item-%08x-%d', (x * 2654435761) % 4294967296, x % 97),
       (x * 7919) % 1000,
       ((x * 31) % 10007) / 100.0,
       substr('lorem ipsum dolor sit amet consectetur adipiscing elit', 1 + x % 40)
FROM c;
COMMIT;
CREATE INDEX item_name ON item(name);
CREATE INDEX item_grp ON item(grp, price);
SELECT grp, count(*), round(sum(price), 2) FROM item GROUP BY grp
ORDER BY 3 DESC LIMIT 3;
SELECT count(*) FROM item WHERE name LIKE 'item-0%';
SELECT count(*), round(avg(price), 3) FROM item WHERE grp BETWEEN 100 AND 300;
SELECT a.grp, count(*) FROM item a JOIN item b ON a.id = b.id + 1
WHERE a.grp = b.grp % 1000 GROUP BY a.grp ORDER BY 2 DESC LIMIT 3;
SELECT note, count(*) FROM item GROUP BY note ORDER BY 2 DESC, 1 LIMIT 3;
SELECT group_concat(name, ',') IS NOT NULL FROM
  (SELECT name FROM item ORDER BY name DESC LIMIT 20000);
BEGIN;
UPDATE item SET price = price * 1.1, note = note || '!' WHERE grp % 3 = 0;
DELETE FROM item WHERE grp % 7 = 0;
COMMIT;
SELECT count(*), round(sum(price), 2) FROM item;
.system grep VmHWM /proc/$PPID/status
