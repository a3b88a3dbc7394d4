# Shared by scripts/demo, scripts/test and scripts/bench: installing and running a throwaway registry.
# Sourced, not run.

# Installs Debian's docker-registry package unless a registry binary is already there.
ensure_registry() {
    if [ -n "${REGSWEEP_TEST_REGISTRY:-}" ] || command -v docker-registry >/dev/null 2>&1; then
        return 0
    fi
    echo "installing Debian's docker-registry package (the Distribution registry)..." >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker-registry >/dev/null
    command -v docker-registry >/dev/null 2>&1 || {
        echo "error: docker-registry is still not installed; install it with apt-get install docker-registry" >&2
        return 1
    }
}

# Installs Debian's slapd (and ldap-utils) for the service's login tests unless slapd is there.
ensure_slapd() {
    if [ -x /usr/sbin/slapd ] && [ -x /usr/sbin/slapadd ]; then
        return 0
    fi
    echo "installing Debian's slapd package (the LDAP server the login tests run)..." >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq slapd ldap-utils >/dev/null
    [ -x /usr/sbin/slapd ] || {
        echo "error: slapd is still not installed; install it with apt-get install slapd ldap-utils" >&2
        return 1
    }
}

# Installs Debian's postgresql package (the store's tests start throwaway clusters with its initdb
# and pg_ctl) unless its binaries are there.
ensure_postgres() {
    if [ -n "${REGSWEEP_TEST_PG_BIN:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        return 0
    fi
    echo "installing Debian's postgresql package (the store's tests run PostgreSQL)..." >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || {
        echo "error: postgresql is still not installed; install it with apt-get install postgresql" >&2
        return 1
    }
}

registry_binary() {
    if [ -n "${REGSWEEP_TEST_REGISTRY:-}" ]; then echo "$REGSWEEP_TEST_REGISTRY"; else command -v docker-registry; fi
}

# A loopback port nothing listens on.
free_port() {
    local port
    for port in $(shuf -i 20000-60000 -n 50); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "error: no free loopback port found" >&2
    return 1
}

# start_registry DIR: starts a registry with deletion enabled on a free loopback port, storage in DIR.
# Sets REGISTRY_PID and REGISTRY_URL.
start_registry() {
    local dir=$1 port
    port=$(free_port)
    cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
    "$(registry_binary)" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    REGISTRY_PID=$!
    REGISTRY_URL="http://127.0.0.1:$port"
    local i
    for i in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        kill -0 "$REGISTRY_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: the registry did not start; its log:" >&2
    cat "$dir/registry.log" >&2
    return 1
}

stop_registry() {
    if [ -n "${REGISTRY_PID:-}" ]; then
        kill "$REGISTRY_PID" 2>/dev/null || true
        wait "$REGISTRY_PID" 2>/dev/null || true
        REGISTRY_PID=""
    fi
}

# start_postgres DIR: a throwaway PostgreSQL cluster in DIR on a free loopback port (as the
# `postgres` user when run as root: PostgreSQL refuses root). Sets PG_URL and PG_DATA.
start_postgres() {
    local dir=$1 bin port as=()
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    [ "$(id -u)" -eq 0 ] && { chown postgres:postgres "$dir"; as=(runuser -u postgres --); }
    PG_DATA="$dir/data"
    "${as[@]}" "$bin/initdb" -D "$PG_DATA" -U regsweep --auth-host=trust --auth-local=trust >/dev/null
    port=$(free_port)
    "${as[@]}" "$bin/pg_ctl" -D "$PG_DATA" -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" \
        -l "$dir/log" -w start >/dev/null
    PG_URL="postgres://regsweep@127.0.0.1:$port/postgres"
}

stop_postgres() {
    if [ -n "${PG_DATA:-}" ]; then
        local bin as=()
        bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
        [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
        "${as[@]}" "$bin/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
        PG_DATA=""
    fi
}
