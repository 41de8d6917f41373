#!/usr/bin/env bash
# Writes the deterministic inputs of the real-trace captures (scripts/capture-datasets.sh) into
# DIR (default: /tmp/postcopy-lab-trace-inputs). Everything comes from a fixed linear congruential
# generator in awk, so every machine produces byte-identical files.
#   words.txt    ~95 KB of pseudo-random words, 12 per line (input of bzip2 and perl)
#   keys.txt     8,000 lines "KEY<TAB>NUMBER" with pseudo-random keys (input of sort)
#   workload.sql sqlite3 script: build, index, query, update and delete a 800-row table
#   wordfreq.pl  perl script: word frequencies of the first 60 lines, bigram hash, sorted report
set -euo pipefail
DIR="${1:-/tmp/postcopy-lab-trace-inputs}"
mkdir -p "$DIR"
export LC_ALL=C

# x(n+1) = (1103515245 x(n) + 12345) mod 2^31: exact in awk's doubles.
awk 'BEGIN {
  x = 20201; split("lorem ipsum dolor sit amet page fault migrate prefetch memory vector kernel guest host dirty clean network copy post pre bubble stride zipf chase phase", w, " ");
  for (line = 0; line < 1000; line++) {
    s = "";
    for (k = 0; k < 12; k++) { x = (1103515245 * x + 12345) % 2147483648; s = s (k ? " " : "") w[1 + int(x / 2147483648 * 25)] (x % 97) }
    print s
  }
}' > "$DIR/words.txt"

awk 'BEGIN {
  x = 777;
  for (i = 0; i < 8000; i++) {
    x = (1103515245 * x + 12345) % 2147483648; k = sprintf("%08x", x);
    x = (1103515245 * x + 12345) % 2147483648; printf "%s%04d\t%d\n", k, x % 10000, i
  }
}' > "$DIR/keys.txt"

cat > "$DIR/workload.sql" <<'SQL'
PRAGMA cache_size = -16000;
CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT, region INTEGER, balance INTEGER, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 800)
INSERT INTO account SELECT i, printf('owner-%05d', (i * 7919) % 811), (i * 31) % 97, (i * 104729) % 100000, printf('%.*c', 20 + i % 60, 'x') FROM n;
CREATE INDEX account_region ON account(region, balance);
CREATE INDEX account_owner ON account(owner);
SELECT region, count(*), sum(balance), avg(balance) FROM account GROUP BY region ORDER BY region;
SELECT owner, balance FROM account WHERE region = 42 ORDER BY balance DESC LIMIT 20;
UPDATE account SET balance = balance + 100 WHERE region % 3 = 0;
SELECT count(*) FROM account a JOIN account b ON a.region = b.region AND a.id + 1 = b.id;
DELETE FROM account WHERE balance % 5 = 0;
SELECT region, max(balance) - min(balance) FROM account GROUP BY region HAVING count(*) > 100;
SELECT owner FROM account ORDER BY note, owner LIMIT 10 OFFSET 5000;
SQL

cat > "$DIR/wordfreq.pl" <<'PERL'
use strict; use warnings;
my (%count, %pair, $prev);
open(my $in, '<', $ARGV[0]) or die "$ARGV[0]: $!";
while (my $line = <$in>) {
  last if $. > 60;
  for my $word (split ' ', $line) {
    $count{$word}++;
    $pair{"$prev $word"}++ if defined $prev;
    $prev = $word;
  }
}
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 49];
print "$_ $count{$_}\n" for @top;
my @pairs = (sort { $pair{$b} <=> $pair{$a} || $a cmp $b } keys %pair)[0 .. 49];
print "$_ $pair{$_}\n" for @pairs;
PERL

echo "$DIR"
