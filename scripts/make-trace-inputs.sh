#!/usr/bin/env bash
# Writes the deterministic inputs of the real-trace captures (scripts/capture-datasets.sh) into
# DIR (default: /tmp/postcopy-lab-trace-inputs). Everything comes from a fixed linear congruential
# generator in awk, so every machine produces byte-identical files.
#   words.txt    ~210 KB of pseudo-random words, 12 per line (input of bzip2)
#   keys.txt     40,000 lines "KEY<TAB>NUMBER" with pseudo-random keys (input of sort)
#   workload.sql sqlite3 script: build, index, query, update and delete a 1,008-row table of ~1 KB rows
#   hashwalk.pl  perl script: 8,000-key hash, probed in a scattered order, keys sorted
set -euo pipefail
DIR="${1:-/tmp/postcopy-lab-trace-inputs}"
mkdir -p "$DIR"
export LC_ALL=C

# x(n+1) = (1103515245 x(n) + 12345) mod 2^31: exact in awk's doubles.
awk 'BEGIN {
  x = 20201; split("lorem ipsum dolor sit amet page fault migrate prefetch memory vector kernel guest host dirty clean network copy post pre bubble stride zipf chase phase", w, " ");
  for (line = 0; line < 2200; line++) {
    s = "";
    for (k = 0; k < 12; k++) { x = (1103515245 * x + 12345) % 2147483648; s = s (k ? " " : "") w[1 + int(x / 2147483648 * 25)] (x % 97) }
    print s
  }
}' > "$DIR/words.txt"

awk 'BEGIN {
  x = 777;
  for (i = 0; i < 40000; i++) {
    x = (1103515245 * x + 12345) % 2147483648; k = sprintf("%08x", x);
    x = (1103515245 * x + 12345) % 2147483648; printf "%s%04d\t%d\n", k, x % 10000, i
  }
}' > "$DIR/keys.txt"

cat > "$DIR/workload.sql" <<'SQL'
PRAGMA cache_size = -16000;
CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT, region INTEGER, balance INTEGER, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1008)
INSERT INTO account SELECT (i * 7919) % 1009, printf('owner-%05d', (i * 7919) % 1013), (i * 31) % 97, (i * 104729) % 100000, printf('%.*c', 200 + i % 900, 'x') FROM n;
CREATE INDEX account_region ON account(region, balance);
CREATE INDEX account_owner ON account(owner);
SELECT region, count(*), sum(balance), avg(balance) FROM account GROUP BY region ORDER BY region;
SELECT owner, balance FROM account WHERE region = 42 ORDER BY balance DESC LIMIT 20;
UPDATE account SET balance = balance + 100 WHERE region % 3 = 0;
SELECT sum(b.balance) FROM account a JOIN account b ON b.id = (a.id * 104729) % 1009;
SELECT sum(length(note)) FROM account WHERE owner > 'owner-00500';
DELETE FROM account WHERE balance % 5 = 0;
SELECT region, max(balance) - min(balance) FROM account GROUP BY region HAVING count(*) > 100;
SELECT owner FROM account ORDER BY note, owner LIMIT 10 OFFSET 5000;
SQL

cat > "$DIR/hashwalk.pl" <<'PERL'
# A hash of 8,000 pseudo-random keys, probed again in another order, then its keys sorted.
use strict; use warnings;
my (%value, $x, $sum);
$x = 1;
for my $i (1 .. 8000) { $x = (1103515245 * $x + 12345) % 2147483648; $value{"k$x"} = $i; }
$x = 1;
my @keys;
for my $i (1 .. 8000) { $x = (1103515245 * $x + 12345) % 2147483648; push @keys, "k$x"; }
for my $i (0 .. $#keys) { $sum += $value{$keys[($i * 7919) % @keys]}; }
my @sorted = sort keys %value;
print "$sum $sorted[0] $sorted[-1]\n";
PERL

echo "$DIR"
