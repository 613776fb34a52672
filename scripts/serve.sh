#!/usr/bin/env bash
# The atlas as a service on this machine: N Streamlit processes behind nginx, one database.
#
#   make serve REPLICAS=2            # or: REPLICAS=2 PORT=8501 bash scripts/serve.sh
#   bash scripts/serve.sh --install  # only make sure nginx is there (make test does this)
#
# * REPLICAS (default 2) Streamlit processes listen on 127.0.0.1:BASE_PORT, BASE_PORT+1, …
#   (BASE_PORT default PORT+100); only nginx faces the network, on LISTEN (default
#   0.0.0.0:PORT, PORT default 8501).
# * nginx (Debian's package; installed with apt-get when missing and run as root) runs in the
#   foreground with a config written from deploy/nginx.conf.template into RUN_DIR (default a
#   fresh folder under /tmp): sticky sessions by client address, websocket upgrade, the health
#   checks /healthz (nginx) and /_stcore/health (an app process); Streamlit's own frontend files
#   (/static/) straight from the installed package, compressed and cached by browsers.
# * The database is ATLAS_DB_URL, shared by every process. This script never starts one: the
#   province's database is run, backed up and secured on its own. Without ATLAS_DB_URL the
#   processes share the SQLite file data/atlas.sqlite (WAL: one machine only); with several
#   machines, use PostgreSQL (ATLAS_DB_URL=postgresql+psycopg://user:pw@host/db).
# * The boundary cache (data/boundaries/cache, written atomically) is shared by the processes
#   because they all run from this folder.
# * Each process runs the default page once before "ready" (geo/ui/warm_up.py), so the first
#   reader after a start does not wait for the libraries and caches; WARM_UP=0 skips it.
# * Ctrl-C (or SIGTERM) stops nginx and every process; if any of them dies, all are stopped.
# Logs: RUN_DIR/streamlit-<port>.log (page errors with their error id), RUN_DIR/nginx-*.log;
# each process's pid in RUN_DIR/streamlit-<port>.pid.
set -euo pipefail
cd "$(dirname "$0")/.."

REPLICAS="${REPLICAS:-2}"
PORT="${PORT:-8501}"
LISTEN="${LISTEN:-0.0.0.0:$PORT}"
BASE_PORT="${BASE_PORT:-$((PORT + 100))}"
MAX_UPLOAD_MB="${MAX_UPLOAD_MB:-50}"  # the importer's file limit (geo/figures/importing/limits.py)
PYTHON="${PYTHON:-$([[ -x .venv/bin/python ]] && echo .venv/bin/python || command -v python3)}"
APP="${APP:-streamlit_app.py}"  # bench/load.py serves a bare page the same way (its floor)

say() { echo "serve: $*" >&2; }
# shellcheck source=scripts/apt_install.sh
source scripts/apt_install.sh
[[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || { say "REPLICAS must be a positive number, not '$REPLICAS'"; exit 2; }

ensure_nginx() {
    NGINX="$(command -v nginx || true)"
    [[ -z "$NGINX" && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
    [[ -n "$NGINX" ]] && return 0
    atlas_apt_install serve nginx >&2 || return 1
    NGINX=/usr/sbin/nginx
}

port_free() {
    "$PYTHON" -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' \
        "$1" 2>/dev/null
}

write_nginx_config() {
    local upstreams="" user_line="" port
    for port in "${PORTS[@]}"; do
        upstreams+="        server 127.0.0.1:${port} max_fails=1 fail_timeout=5s;"$'\n'
    done
    mkdir -p "$RUN_DIR/tmp"
    if [[ "$(id -u)" == 0 ]]; then
        # Workers never run as root: nobody, with its own temporary folders.
        user_line="user nobody nogroup;"
        chmod 0711 "$RUN_DIR"
        chown nobody:nogroup "$RUN_DIR/tmp"
    fi
    local template
    template="$(<deploy/nginx.conf.template)"
    template="${template//@RUN_DIR@/$RUN_DIR}"
    template="${template//@USER_LINE@/$user_line}"
    template="${template//@LISTEN@/$LISTEN}"
    template="${template//@MAX_UPLOAD_MB@/$MAX_UPLOAD_MB}"
    template="${template//@UPSTREAM_SERVERS@/${upstreams%$'\n'}}"
    # Streamlit's frontend files, served by nginx (the package of the processes' Python).
    template="${template//@STREAMLIT_ROOT@/$STREAMLIT_ROOT}"
    printf '%s\n' "$template" >"$RUN_DIR/nginx.conf"
}

PIDS=()
stop_all() {
    trap - INT TERM EXIT
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    say "stopped"
}

main() {
    ensure_nginx
    RUN_DIR="${RUN_DIR:-$(mktemp -d /tmp/atlas-serve.XXXXXX)}"
    mkdir -p "$RUN_DIR"
    PORTS=()
    local i port
    for ((i = 0; i < REPLICAS; i++)); do
        port=$((BASE_PORT + i))
        port_free "$port" || { say "port $port is in use (set BASE_PORT)"; exit 1; }
        PORTS+=("$port")
    done
    if [[ -n "${ATLAS_DB_URL:-}" ]]; then
        say "database: $(sed -E 's#://([^:@/]*):[^@/]*@#://\1:***@#' <<<"$ATLAS_DB_URL")"
    else
        say "database: SQLite data/atlas.sqlite (ATLAS_DB_URL unset: one machine only)"
    fi
    trap 'stop_all; exit 0' INT TERM
    trap stop_all EXIT

    # Seed the demo batches once, before N processes race for it (the store serialises
    # seeding anyway; this only spares them the wait).
    "$PYTHON" -c 'from geo.figures.store import open_store; open_store().dispose()'

    for port in "${PORTS[@]}"; do
        "$PYTHON" -m streamlit run "$APP" \
            --server.address 127.0.0.1 --server.port "$port" --server.headless true \
            --server.fileWatcherType none --server.maxUploadSize "$MAX_UPLOAD_MB" \
            --browser.gatherUsageStats false >"$RUN_DIR/streamlit-$port.log" 2>&1 &
        PIDS+=("$!")
        echo "$!" >"$RUN_DIR/streamlit-$port.pid"  # for monitoring (bench/load.py reads its CPU)
    done
    STREAMLIT_ROOT="$("$PYTHON" -c 'import os, streamlit; print(os.path.join(os.path.dirname(streamlit.__file__), "static"))')"
    write_nginx_config
    "$NGINX" -t -q -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" || { say "bad nginx config: $RUN_DIR/nginx.conf"; exit 1; }
    "$NGINX" -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" &
    PIDS+=("$!")

    for i in "${!PORTS[@]}"; do
        port="${PORTS[$i]}"
        local tries=0
        until "$PYTHON" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
            "http://127.0.0.1:$port/_stcore/health" 2>/dev/null; do
            kill -0 "${PIDS[$i]}" 2>/dev/null ||
                { say "the process on port $port ended: $RUN_DIR/streamlit-$port.log"; exit 1; }
            ((++tries > 120)) && { say "127.0.0.1:$port not healthy after 60 s (see $RUN_DIR)"; exit 1; }
            sleep 0.5
        done
    done
    if [[ "${WARM_UP:-1}" == 1 ]]; then
        # Each process's first page run imports the libraries and fills its caches (~10 s on
        # 2 cores): done here, all processes at once, so that no reader waits for it.
        local urls=()
        for port in "${PORTS[@]}"; do urls+=("http://127.0.0.1:$port"); done
        "$PYTHON" -m geo.ui.warm_up "${urls[@]}" || say "warm-up: a process did not run its page cleanly (see its log)"
    fi
    say "ready: http://${LISTEN/0.0.0.0/localhost}/ (${REPLICAS} processes on ports ${PORTS[*]}; logs in $RUN_DIR; Ctrl-C stops)"
    # Run until Ctrl-C, or until one of them dies (then stop the rest: no half service).
    wait -n "${PIDS[@]}" || true
    say "a process ended; stopping the service"
    exit 1
}

if [[ "${1:-}" == "--install" ]]; then
    # For `make test`: the service test needs nginx; without it, it skips with the reason.
    ensure_nginx || say "the service tests will be skipped"
    exit 0
fi
main "$@"
