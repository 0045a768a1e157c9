#!/bin/sh
# Run once by the postgres image when it creates its data directory (docker-entrypoint-initdb.d): the
# streaming replica (docker-compose profile "replica") connects with the database owner's password.
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
