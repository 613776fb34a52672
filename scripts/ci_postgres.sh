# shellcheck shell=bash
# A throw-away PostgreSQL for the store tests, sourced by .ci/run before `make test`.
#
#   source scripts/ci_postgres.sh
#
# Installs Debian's postgresql when no server binaries are found (root + apt-get only), starts a
# cluster in $ATLAS_PG_DIR (default /tmp/atlas-ci-postgres) listening on 127.0.0.1:$ATLAS_PG_PORT
# (default 55432) only, creates role and database `atlas_test`, exports
#   ATLAS_TEST_POSTGRES_URL=postgresql+psycopg://atlas_test:atlas_test@127.0.0.1:55432/atlas_test
# and stops the server when the calling shell exits (if this run started it).
# Idempotent: an existing data folder is reused, a server already listening is reused and left
# running. Never fails the caller: when PostgreSQL cannot be had, it says so and the tests that
# need it skip with a reason.

# shellcheck source=scripts/apt_install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt_install.sh"

atlas_ci_postgres() {
    local dir="${ATLAS_PG_DIR:-/tmp/atlas-ci-postgres}"
    local port="${ATLAS_PG_PORT:-55432}"
    local url="postgresql+psycopg://atlas_test:atlas_test@127.0.0.1:${port}/atlas_test"
    local bindir
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -z "$bindir" ]]; then
        atlas_apt_install ci_postgres postgresql ||
            { echo "ci_postgres: PostgreSQL tests will skip"; return 1; }
        bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
        [[ -n "$bindir" ]] || return 1
    fi

    # The server refuses to run as root: run it as `postgres` when we are root.
    local -a as_owner=()
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "ci_postgres: no user postgres"; return 1; }
        as_owner=(runuser -u postgres --)
    fi

    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        echo "ci_postgres: reusing the server on 127.0.0.1:$port"
    else
        mkdir -p "$dir"
        [[ "$(id -u)" == 0 ]] && chown postgres: "$dir"
        if [[ ! -s "$dir/data/PG_VERSION" ]]; then
            rm -rf "$dir/data"
            "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
                --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 ||
                { echo "ci_postgres: initdb failed (see $dir/initdb.log)"; return 1; }
        fi
        # Throw-away cluster: no fsync, tiny footprint, socket in our folder, TCP on loopback only.
        "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off" >/dev/null ||
            { echo "ci_postgres: the server did not start (see $dir/server.log)"; return 1; }
        # shellcheck disable=SC2064  # expand now: stop this cluster even if variables change
        trap "${as_owner[*]} '$bindir/pg_ctl' -D '$dir/data' -m fast stop >/dev/null 2>&1 || true" EXIT
        echo "ci_postgres: started PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
    fi

    local -a psql=("${as_owner[@]}" "$bindir/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA)
    if ! "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'atlas_test'" | grep -q 1; then
        "${psql[@]}" -d postgres -c "CREATE ROLE atlas_test LOGIN PASSWORD 'atlas_test'" || return 1
    fi
    if ! "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'atlas_test'" | grep -q 1; then
        "${psql[@]}" -d postgres -c "CREATE DATABASE atlas_test OWNER atlas_test" || return 1
    fi
    export ATLAS_TEST_POSTGRES_URL="$url"
    echo "ci_postgres: ATLAS_TEST_POSTGRES_URL=${url/:atlas_test@/:***@}"
}

atlas_ci_postgres || echo "ci_postgres: continuing without PostgreSQL"
