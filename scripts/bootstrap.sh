#!/usr/bin/env bash
# scripts/bootstrap.sh — make the services and tools the project needs
# available, then provision PostgreSQL for it. Called by `make run`,
# `make test`, `make bench`.
#
#   scripts/bootstrap.sh            Go check, PostgreSQL (+ roles, database), Redis,
#                                   etcd, and protoc (protobuf-compiler, used by the
#                                   test that regenerates the protobuf code)
#   scripts/bootstrap.sh --race     the same, plus a C compiler for `go test -race`
#   scripts/bootstrap.sh --go-only  only the Go check (used by `make build`)
#
# Services: PostgreSQL (SMM_DATABASE_URL, SMM_DATABASE_OWNER_URL), Redis
# (SMM_REDIS_URL), etcd (SMM_ETCD_ENDPOINTS, a comma-separated list of client
# URLs: the first one is checked, and started when it is on this machine; a
# local etcd runs as a plain process, its data in ${TMPDIR:-/tmp}/smm-etcd,
# which holds nothing to keep, and its log in ${TMPDIR:-/tmp}/smm-etcd.log).
# For each service, in this order:
#   1. the URL from the environment answers            -> use it as it is
#   2. else the URL points at this machine and the server is installed
#                                                      -> start it (no systemd needed)
#   3. else root on Debian/Ubuntu                      -> apt-get install it, start it
#   4. else stop with a message saying exactly what to install or set.
# Then versions are checked (PostgreSQL >= 15, Redis >= 7, etcd >= 3.4) and PostgreSQL gets
# the two roles and the database named in SMM_DATABASE_OWNER_URL /
# SMM_DATABASE_URL, creating only what is missing. Nothing is ever dropped.
#
# Tools (a C compiler for --race, protoc) are not services: when missing they
# are apt-get installed as root on Debian/Ubuntu, else the bootstrap stops and
# prints the command to run.
#
# Adding a service: add its name to SERVICES and write, next to the redis_*
# and etcd_* ones, these small functions (each a line or a few):
#   SVC_up          answers at the address its SMM_* URL names?
#   SVC_where       "host:port", for messages
#   SVC_is_local    that address is on this machine (so we may start it)
#   SVC_busy        something else holds the port (false when unsure)
#   SVC_installed   the server program is installed
#   SVC_packages    Debian packages to apt-get install (etcd: etcd-server)
#   SVC_start       start it without systemd (daemonized, bounded)
#   SVC_check       version check, provisioning, the "SVC: ok (...)" line
#   SVC_candidate_ok  (optional) refuse an apt candidate that is too old
set -Eeuo pipefail
trap 'printf "bootstrap: failed at line %s: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

: "${SMM_DATABASE_URL:=postgres://smm_app:smm_app@127.0.0.1:5432/smm?sslmode=disable}"
: "${SMM_DATABASE_OWNER_URL:=postgres://smm_owner:smm_owner@127.0.0.1:5432/smm?sslmode=disable}"
: "${SMM_REDIS_URL:=redis://127.0.0.1:6379}"
: "${SMM_ETCD_ENDPOINTS:=http://127.0.0.1:2379}"
# Optional: a URL of a PostgreSQL superuser, tried first when roles must be created.
: "${SMM_POSTGRES_SUPERUSER_URL:=}"

readonly GO_MIN_MAJOR=1 GO_MIN_MINOR=26
readonly PG_MIN=15 REDIS_MIN=7
readonly ETCD_MIN_MAJOR=3 ETCD_MIN_MINOR=4
readonly WAIT_SECONDS=30

SERVICES=(postgres redis etcd)
# Read from the URLs in main.
pg_app_user='' pg_app_pass='' pg_app_host='' pg_app_port='' pg_app_db=''
pg_owner_user='' pg_owner_pass='' pg_owner_host='' pg_owner_port='' pg_owner_db=''
redis_user='' redis_pass='' redis_host='' redis_port=''
etcd_scheme='' etcd_host='' etcd_port='' etcd_url=''
pg_version='' pg_version_num=0
ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
START=${EPOCHREALTIME/,/.}

# ---------------------------------------------------------------- helpers --

say() { printf '%s\n' "$*"; }
die() {
	printf 'bootstrap: %s\n' "$1" >&2
	shift
	local line
	for line in "$@"; do printf '  %s\n' "$line" >&2; done
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [[ $(id -u) == 0 ]]; }
is_debian() { [[ -f /etc/debian_version ]] && have apt-get; }
systemd_is_init() { [[ -r /proc/1/comm && $(</proc/1/comm) == systemd ]]; }
can_sudo() { ! is_root && have sudo && sudo -n true >/dev/null 2>&1; }

# Run as root: directly when root, through non-interactive sudo otherwise.
# "9>&-": daemons started from here must not inherit the bootstrap lock.
as_root() {
	if is_root; then
		"$@" 9>&-
	elif can_sudo; then
		sudo -n "$@" 9>&-
	else
		return 1
	fi
}

# Run as another system user (postgres, redis) from a directory it can read.
as_user() {
	local user=$1
	shift
	if [[ $(id -un) == "$user" ]]; then
		(cd / && "$@" 9>&-)
	elif is_root && have runuser; then
		(cd / && runuser -u "$user" -- "$@" 9>&-)
	elif can_sudo; then
		(cd / && sudo -n -u "$user" -- "$@" 9>&-)
	else
		return 1
	fi
}

urldecode() {
	local s=${1//+/ }
	printf '%b' "${s//%/\\x}"
}

# 127.0.0.1, ::1, localhost, or a Unix socket directory: a server we may start.
is_local_host() {
	case $1 in
	'' | /* | localhost | 127.* | ::1) return 0 ;;
	*) return 1 ;;
	esac
}

# parse_pg_url URL PREFIX: sets PREFIX_user, _pass, _host, _port, _db.
parse_pg_url() {
	local url=$1 p=$2 userinfo user pass=''
	local re='^postgres(ql)?://(([^@/?]*)@)?(\[[^]/]*\]|[^:/?]*)(:([0-9]+))?(/([^?]*))?(\?.*)?$'
	[[ $url =~ $re ]] || die "cannot read the PostgreSQL URL '${url%%@*}@…'" \
		"expected postgres://user:password@host:port/database?sslmode=disable"
	userinfo=${BASH_REMATCH[3]}
	user=${userinfo%%:*}
	[[ $userinfo == *:* ]] && pass=${userinfo#*:}
	local host=${BASH_REMATCH[4]#[}
	host=${host%]}
	printf -v "${p}_user" '%s' "$(urldecode "${user:-${USER:-postgres}}")"
	printf -v "${p}_pass" '%s' "$(urldecode "$pass")"
	printf -v "${p}_host" '%s' "$host"
	printf -v "${p}_port" '%s' "${BASH_REMATCH[6]:-5432}"
	printf -v "${p}_db" '%s' "$(urldecode "${BASH_REMATCH[8]:-${user:-postgres}}")"
}

# parse_redis_url URL: sets redis_user, redis_pass, redis_host, redis_port.
parse_redis_url() {
	local url=$1 userinfo
	local re='^rediss?://(([^@/?]*)@)?(\[[^]/]*\]|[^:/?]*)(:([0-9]+))?(/.*)?$'
	[[ $url =~ $re ]] || die "cannot read SMM_REDIS_URL" "expected redis://[:password@]host:port"
	userinfo=${BASH_REMATCH[2]}
	redis_user='' redis_pass=''
	if [[ $userinfo == *:* ]]; then
		redis_user=$(urldecode "${userinfo%%:*}")
		redis_pass=$(urldecode "${userinfo#*:}")
	elif [[ -n $userinfo ]]; then
		redis_pass=$(urldecode "$userinfo")
	fi
	redis_host=${BASH_REMATCH[3]#[}
	redis_host=${redis_host%]}
	redis_host=${redis_host:-127.0.0.1}
	redis_port=${BASH_REMATCH[5]:-6379}
}

# wait_until SECONDS CMD...: bounded readiness loop.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 5; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# tcp_open HOST PORT: something listens there (bash's /dev/tcp, 2 s at most).
tcp_open() {
	# shellcheck disable=SC2016
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# ------------------------------------------------------------------- apt --

APT_UPDATED=0
apt_install() {
	local pkgs=("$@")
	if ! is_debian; then
		die "missing: ${pkgs[*]}, and this is not Debian/Ubuntu (no apt-get)." \
			"Install PostgreSQL >= $PG_MIN, Redis >= $REDIS_MIN and etcd >= $ETCD_MIN_MAJOR.$ETCD_MIN_MINOR, start them on" \
			"$(postgres_where), $(redis_where) and $(etcd_where), then run this again;" \
			"or point SMM_DATABASE_URL, SMM_DATABASE_OWNER_URL, SMM_REDIS_URL and SMM_ETCD_ENDPOINTS at servers that answer." \
			"Tools: a C compiler (gcc) for --race, protoc (protobuf-compiler)."
	fi
	if ! is_root && ! can_sudo; then
		die "missing: ${pkgs[*]}. Install them as root, then run this again:" \
			"sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs[*]}"
	fi
	if ((APT_UPDATED == 0)); then
		say "apt: apt-get update"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
			die "apt-get update failed"
		APT_UPDATED=1
	fi
	local s
	for s in "${SERVICES[@]}"; do
		if declare -F "${s}_candidate_ok" >/dev/null; then "${s}_candidate_ok" "${pkgs[@]}"; fi
	done
	say "apt: apt-get install ${pkgs[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${pkgs[@]}" >"${TMPDIR:-/tmp}/smm-bootstrap-apt.log" 2>&1 ||
		die "apt-get install ${pkgs[*]} failed; see ${TMPDIR:-/tmp}/smm-bootstrap-apt.log"
}

# apt_candidate_major PKG: major version apt would install ('' when none).
apt_candidate_major() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && v == "" {v = $2} END {print v}')
	[[ -z $v || $v == '(none)' ]] && return 0
	v=${v#*:}
	printf '%s' "${v%%[.+~-]*}"
}

# -------------------------------------------------------------------- go --

check_go() {
	local v
	if ! have go && [[ -x /usr/local/go/bin/go ]]; then
		# shellcheck disable=SC2016
		die "go is installed in /usr/local/go but not on PATH:" 'export PATH=$PATH:/usr/local/go/bin'
	fi
	have go || die "Go is not installed: install Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR from https://go.dev/dl"
	# GOTOOLCHAIN=local: report the installed Go, never download another.
	v=$(GOTOOLCHAIN=local go version 2>/dev/null) || die "'go version' failed: install Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR from https://go.dev/dl"
	[[ $v =~ go([0-9]+)\.([0-9]+)([.a-z0-9]*) ]] || die "cannot read the Go version from '$v'"
	local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	if ((major < GO_MIN_MAJOR || (major == GO_MIN_MAJOR && minor < GO_MIN_MINOR))); then
		die "Go $major.$minor is too old: install Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR from https://go.dev/dl"
	fi
	say "go: ok (go${BASH_REMATCH[1]}.${BASH_REMATCH[2]}${BASH_REMATCH[3]})"
}

# The race detector needs cgo, hence a C compiler.
cc_packages() {
	if ! have gcc && ! have cc && ! have clang; then echo gcc libc6-dev; fi
}
check_cc() {
	local c
	for c in gcc cc clang; do
		if have "$c"; then
			say "cc: ok ($c, for go test -race)"
			return 0
		fi
	done
	die "go test -race needs a C compiler: install gcc (apt-get install gcc libc6-dev)"
}

# protoc: scripts/generate.sh and the test that checks the generated code.
protoc_packages() {
	if ! have protoc; then echo protobuf-compiler; fi
}
check_protoc() {
	local v
	have protoc || die "protoc is missing (needed to regenerate the protobuf code): install protobuf-compiler" \
		"as root: apt-get install -y --no-install-recommends protobuf-compiler"
	v=$(protoc --version 2>/dev/null) || die "'protoc --version' failed: reinstall protobuf-compiler"
	say "protoc: ok (${v#libprotoc })"
}

# -------------------------------------------------------------- postgres --

# The client programs. Debian's /usr/bin/psql is a Perl wrapper that costs
# 0.1-0.3 s a call: call the newest real binary directly when there is one.
PSQL='' PG_ISREADY=''
pg_tools() {
	local d
	PSQL='' PG_ISREADY=''
	for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4 -rn); do
		[[ -z $PSQL && -x $d/psql ]] && PSQL=$d/psql
		[[ -z $PG_ISREADY && -x $d/pg_isready ]] && PG_ISREADY=$d/pg_isready
	done
	[[ -n $PSQL ]] || PSQL=$(command -v psql || true)
	[[ -n $PG_ISREADY ]] || PG_ISREADY=$(command -v pg_isready || true)
	[[ -n $PSQL && -n $PG_ISREADY ]]
}

# -w: never prompt for a password; fail instead.
psql_q() { "$PSQL" -X -q -At -w -v ON_ERROR_STOP=1 "$@"; }
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}

postgres_where() { printf '%s:%s' "${pg_app_host:-local socket}" "$pg_app_port"; }

postgres_host_args() {
	if [[ -n $pg_app_host ]]; then printf '%s\n' -h "$pg_app_host"; fi
	printf '%s\n' -p "$pg_app_port"
}

postgres_up() {
	local args
	mapfile -t args < <(postgres_host_args)
	if [[ -n $PG_ISREADY ]]; then
		"$PG_ISREADY" -q -t 2 "${args[@]}"
	else
		tcp_open "${pg_app_host:-127.0.0.1}" "$pg_app_port"
	fi
}

postgres_is_local() { is_local_host "$pg_app_host"; }
# pg_isready tells a server that is starting (then we wait) from no server.
postgres_busy() { return 1; }

# Installed server binaries, newest version first.
postgres_versions() {
	local d
	for d in /usr/lib/postgresql/*/bin/postgres; do
		[[ -x $d ]] || continue
		d=${d#/usr/lib/postgresql/}
		printf '%s\n' "${d%%/*}"
	done | sort -rn
}

postgres_installed() {
	[[ -n $(postgres_versions) ]] && have pg_ctlcluster && pg_tools
}

postgres_packages() {
	if [[ -z $(postgres_versions) ]] || ! have pg_ctlcluster; then echo postgresql; fi
	pg_tools || echo postgresql-client
}

postgres_candidate_ok() {
	local p major
	for p in "$@"; do
		[[ $p == postgresql ]] || continue
		major=$(apt_candidate_major postgresql)
		[[ -n $major ]] || die "apt has no 'postgresql' package; install PostgreSQL >= $PG_MIN (see https://www.postgresql.org/download/linux/)"
		((major >= PG_MIN)) || die "apt would install PostgreSQL $major, and >= $PG_MIN is needed:" \
			"install postgresql-$PG_MIN (or newer) from https://apt.postgresql.org (https://wiki.postgresql.org/wiki/Apt), then run this again"
	done
}

postgres_start() {
	local ver cluster port status line skip=()
	systemd_is_init || skip=(--skip-systemctl-redirect)
	# A cluster already set up for our port?
	while read -r ver cluster port status _; do
		[[ $port == "$pg_app_port" ]] || continue
		if [[ $status != online* ]]; then
			say "postgres: starting cluster $ver/$cluster on port $port"
			as_root pg_ctlcluster "${skip[@]}" "$ver" "$cluster" start ||
				die "could not start PostgreSQL cluster $ver/$cluster:" \
					"as root: pg_ctlcluster $ver $cluster start" \
					"log: /var/log/postgresql/postgresql-$ver-$cluster.log"
		fi
		return 0
	done < <(pg_lsclusters -h 2>/dev/null)
	line=$(pg_lsclusters -h 2>/dev/null | awk '{printf "%s%s/%s on port %s (%s)", (NR > 1 ? ", " : ""), $1, $2, $3, $4}')
	if [[ -n $line ]]; then
		die "PostgreSQL clusters exist, but none on port $pg_app_port: $line." \
			"Set SMM_DATABASE_URL and SMM_DATABASE_OWNER_URL to the port of one of them."
	fi
	ver=$(postgres_versions | head -n 1)
	say "postgres: creating cluster $ver/main on port $pg_app_port"
	as_root pg_createcluster -p "$pg_app_port" "$ver" main >/dev/null ||
		die "could not create a PostgreSQL cluster: as root, pg_createcluster -p $pg_app_port $ver main"
	as_root pg_ctlcluster "${skip[@]}" "$ver" main start ||
		die "could not start PostgreSQL cluster $ver/main: as root, pg_ctlcluster $ver main start"
}

# Versions + roles. Fast path: both URLs answer and the app role is safe.
postgres_check() {
	local out app_ok=0 owner_ok=0 app_err='' owner_err=''
	local app_unsafe app_owns_db
	local q_app="SELECT current_setting('server_version_num'), split_part(current_setting('server_version'), ' ', 1), r.rolsuper OR r.rolbypassrls, d.datdba = r.oid FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()"
	if out=$(psql_q -d "$SMM_DATABASE_URL" -c "$q_app" 2>&1); then
		IFS='|' read -r pg_version_num pg_version app_unsafe app_owns_db <<<"$out"
		if [[ $app_unsafe == f ]]; then app_ok=1; fi
		[[ $app_owns_db != t ]] ||
			say "postgres: warning: $pg_app_user owns database $pg_app_db; it should belong to $pg_owner_user (ALTER DATABASE $pg_app_db OWNER TO $pg_owner_user)"
	else
		app_err=$(head -n 1 <<<"$out")
	fi
	if out=$(psql_q -d "$SMM_DATABASE_OWNER_URL" -c "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user" 2>&1); then
		[[ $out == t ]] && owner_ok=1
	else
		owner_err=$(head -n 1 <<<"$out")
	fi
	if ((app_ok && owner_ok)); then
		postgres_version_ok
		say "postgres: ok ($pg_version at $(postgres_where))"
		say "postgres: roles ok ($pg_owner_user owns, $pg_app_user connects; database $pg_app_db)"
		return 0
	fi
	postgres_provision "$app_ok" "$owner_ok" "$app_err" "$owner_err"
}

postgres_version_ok() {
	((pg_version_num >= PG_MIN * 10000)) ||
		die "PostgreSQL $pg_version at $(postgres_where) is too old: PostgreSQL >= $PG_MIN is needed." \
			"On Debian/Ubuntu: install postgresql-$PG_MIN (or newer; https://apt.postgresql.org), or point SMM_DATABASE_URL at a newer server."
}

# postgres_role_state ROLE: "super|bypassrls|createdb|createrole|login" (t/f), or nothing.
postgres_role_state() {
	"${PG_SUPER[@]}" -v r="$1" <<<"SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = :'r'"
}

# Find a way in as a superuser; sets PG_SUPER to the psql command line.
PG_SUPER=()
postgres_find_superuser() {
	local -a tries=() cand
	local host_args
	mapfile -t host_args < <(postgres_host_args)
	[[ -n $SMM_POSTGRES_SUPERUSER_URL ]] && tries+=("$PSQL -d $(printf %q "$SMM_POSTGRES_SUPERUSER_URL")")
	tries+=("$PSQL -w -U postgres -d postgres ${host_args[*]}")
	# Over the Unix socket as the postgres system user, where Debian's
	# pg_hba.conf says 'peer': runuser when root, else sudo -n.
	if postgres_is_local && id postgres >/dev/null 2>&1 && { { is_root && have runuser; } || can_sudo; }; then
		tries+=("as_user postgres $PSQL -p $pg_app_port -d postgres")
	fi
	local t
	for t in "${tries[@]}"; do
		eval "cand=($t)"
		if [[ $("${cand[@]}" -X -q -At -w -c 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user' 2>/dev/null) == t ]]; then
			PG_SUPER=("${cand[@]}" -X -q -At -v ON_ERROR_STOP=1)
			return 0
		fi
	done
	return 1
}

# postgres_login_failed ERR: the connection failed for another reason than a
# missing database (then the password in the URL is made the role's password).
postgres_login_failed() {
	[[ -n $1 && $1 != *'database "'*'" does not exist'* ]]
}

postgres_provision() {
	local app_ok=$1 owner_ok=$2 app_err=$3 owner_err=$4
	if ! postgres_find_superuser; then
		local why=()
		((app_ok)) || why+=("SMM_DATABASE_URL ($pg_app_user@$(postgres_where)/$pg_app_db): ${app_err:-role is a superuser or has BYPASSRLS}")
		((owner_ok)) || why+=("SMM_DATABASE_OWNER_URL ($pg_owner_user@$(postgres_where)/$pg_owner_db): ${owner_err:-role lacks CREATEDB}")
		die "PostgreSQL roles need setting up, and no superuser access was found." "${why[@]}" \
			"Tried: SMM_POSTGRES_SUPERUSER_URL, psql -h ${pg_app_host:-(socket)} -p $pg_app_port -U postgres, runuser/sudo -u postgres psql." \
			"Fix, one of:" \
			"- run it once as root: sudo --preserve-env=SMM_DATABASE_URL,SMM_DATABASE_OWNER_URL scripts/bootstrap.sh" \
			"- set SMM_POSTGRES_SUPERUSER_URL=postgres://SUPERUSER:PASSWORD@host:port/postgres and run again" \
			"- as a superuser: CREATE ROLE $pg_owner_user LOGIN CREATEDB PASSWORD '…'; CREATE ROLE $pg_app_user LOGIN PASSWORD '…';" \
			"  CREATE DATABASE $pg_owner_db OWNER $pg_owner_user; (passwords as in the two URLs)"
	fi
	local super_name state
	super_name=$("${PG_SUPER[@]}" -c 'SELECT current_user')
	IFS='|' read -r pg_version_num pg_version <<<"$("${PG_SUPER[@]}" -c "SELECT current_setting('server_version_num'), split_part(current_setting('server_version'), ' ', 1)")"
	postgres_version_ok
	say "postgres: ok ($pg_version at $(postgres_where))"

	[[ $pg_app_user != "$super_name" ]] ||
		die "SMM_DATABASE_URL names the superuser $super_name: the application role must not be a superuser."
	[[ $pg_app_db == "$pg_owner_db" ]] ||
		say "postgres: warning: the two URLs name different databases ($pg_app_db, $pg_owner_db)"

	local -a sql=() changed=() o a
	# Owner: LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS NOCREATEROLE.
	state=$(postgres_role_state "$pg_owner_user")
	if [[ -z $state ]]; then
		sql+=("SELECT format('CREATE ROLE %I LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS NOCREATEROLE' || CASE WHEN :'owner_pw' <> '' THEN format(' PASSWORD %L', :'owner_pw') ELSE '' END, :'owner')")
		changed+=("created role $pg_owner_user")
	elif [[ $pg_owner_user == "$super_name" ]]; then
		say "postgres: warning: SMM_DATABASE_OWNER_URL names the superuser $super_name; left as it is"
	else
		IFS='|' read -r -a o <<<"$state"
		if [[ ${o[0]}${o[1]}${o[2]}${o[3]}${o[4]} != fftft ]]; then
			sql+=("SELECT format('ALTER ROLE %I LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS NOCREATEROLE', :'owner')")
			changed+=("fixed attributes of role $pg_owner_user")
		fi
		if postgres_login_failed "$owner_err" && [[ -n $pg_owner_pass ]]; then
			sql+=("SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_pw')")
			changed+=("set the password of $pg_owner_user from SMM_DATABASE_OWNER_URL")
		fi
	fi
	# Application role: LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE.
	state=$(postgres_role_state "$pg_app_user")
	if [[ -z $state ]]; then
		sql+=("SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE' || CASE WHEN :'app_pw' <> '' THEN format(' PASSWORD %L', :'app_pw') ELSE '' END, :'app')")
		changed+=("created role $pg_app_user")
	else
		IFS='|' read -r -a a <<<"$state"
		if [[ ${a[0]}${a[1]}${a[2]}${a[3]}${a[4]} != fffft ]]; then
			sql+=("SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', :'app')")
			changed+=("fixed attributes of role $pg_app_user (now NOSUPERUSER NOBYPASSRLS)")
		fi
		if postgres_login_failed "$app_err" && [[ -n $pg_app_pass ]]; then
			sql+=("SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_pw')")
			changed+=("set the password of $pg_app_user from SMM_DATABASE_URL")
		fi
	fi
	# Database(s), owned by the owner role; created only when missing.
	local var db db_owner
	for var in owner_db app_db; do
		[[ $var == app_db && $pg_app_db == "$pg_owner_db" ]] && continue
		db=pg_$var
		db=${!db}
		db_owner=$("${PG_SUPER[@]}" -v d="$db" <<<"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :'d'")
		if [[ -z $db_owner ]]; then
			sql+=("SELECT format('CREATE DATABASE %I OWNER %I', :'$var', :'owner')")
			changed+=("created database $db (owner $pg_owner_user)")
		elif [[ $db_owner != "$pg_owner_user" ]]; then
			say "postgres: warning: database $db is owned by $db_owner, not $pg_owner_user; left as it is"
		fi
		sql+=("SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'$var', :'app')")
	done

	if ((${#changed[@]})); then
		local script='' s
		for s in "${sql[@]}"; do script+="$s \\gexec"$'\n'; done
		"${PG_SUPER[@]}" -v owner="$pg_owner_user" -v owner_pw="$pg_owner_pass" \
			-v app="$pg_app_user" -v app_pw="$pg_app_pass" \
			-v owner_db="$pg_owner_db" -v app_db="$pg_app_db" <<<"$script" >/dev/null ||
			die "provisioning PostgreSQL failed (see the error above)"
		for s in "${changed[@]}"; do say "postgres: $s"; done
	fi

	# Both URLs must now work.
	local out
	out=$(psql_q -d "$SMM_DATABASE_OWNER_URL" -c 'SELECT 1' 2>&1) ||
		die "SMM_DATABASE_OWNER_URL still does not connect: $(head -n 1 <<<"$out")" \
			"check pg_hba.conf of the server at $(postgres_where) (a 'host ... scram-sha-256' line for $pg_owner_user)"
	out=$(psql_q -d "$SMM_DATABASE_URL" -c 'SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user' 2>&1) ||
		die "SMM_DATABASE_URL still does not connect: $(head -n 1 <<<"$out")" \
			"check pg_hba.conf of the server at $(postgres_where) (a 'host ... scram-sha-256' line for $pg_app_user)"
	[[ $out == f ]] || die "role $pg_app_user is still a superuser or has BYPASSRLS"
	say "postgres: roles ok ($pg_owner_user owns, $pg_app_user connects; database $pg_app_db)"
}

# ----------------------------------------------------------------- redis --

redis_where() { printf '%s:%s' "$redis_host" "$redis_port"; }
redis_is_local() { is_local_host "$redis_host"; }
redis_busy() { tcp_open "$redis_host" "$redis_port"; }
redis_installed() { have redis-server; }
redis_packages() { echo redis-server; }

# redis_info: prints the 'INFO server' section; redis-cli, else RESP over /dev/tcp.
redis_info() {
	if have redis-cli; then
		timeout 3 redis-cli --no-auth-warning -u "$SMM_REDIS_URL" INFO server 2>/dev/null
		return
	fi
	[[ $SMM_REDIS_URL == rediss://* ]] && return 1
	# shellcheck disable=SC2016
	timeout 3 bash -c '
		set -e
		cr=$(printf "\r")
		exec 3<>"/dev/tcp/$1/$2"
		resp() { local a; printf "*%d\r\n" $# >&3; for a in "$@"; do printf "\$%d\r\n%s\r\n" "${#a}" "$a" >&3; done; }
		if [[ -n $4 ]]; then
			if [[ -n $3 ]]; then resp AUTH "$3" "$4"; else resp AUTH "$4"; fi
			IFS= read -r line <&3
			[[ $line == +OK* ]] || exit 1
		fi
		resp INFO server
		IFS= read -r line <&3
		[[ $line == "\$"* ]] || exit 1
		while IFS= read -r line <&3; do
			line=${line%"$cr"}
			[[ -n $line ]] || break
			printf "%s\n" "$line"
		done
	' _ "$redis_host" "$redis_port" "$redis_user" "$redis_pass" 2>/dev/null
}

redis_up() {
	local info
	info=$(redis_info) || return 1
	[[ $info == *redis_version:* ]]
}

redis_start() {
	local dir log pid args name=redis-server
	[[ $redis_port == 6379 ]] || name=redis-server-$redis_port
	if is_root && id redis >/dev/null 2>&1; then
		dir=/var/lib/redis log=/var/log/redis/$name.log
		mkdir -p "$dir" /var/log/redis
		chown redis:redis "$dir"
		chown redis:adm /var/log/redis 2>/dev/null || chown redis /var/log/redis
	else
		dir=$ROOT_DIR/data/redis log=$ROOT_DIR/data/redis/$name.log
		mkdir -p "$dir"
	fi
	pid=$dir/$name.pid
	# Default snapshots (dump.rdb, as Debian's own service), one file per port.
	local rdb=dump.rdb
	[[ $redis_port == 6379 ]] || rdb=dump-$redis_port.rdb
	args=(--daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --dir "$dir" --dbfilename "$rdb"
		--logfile "$log" --pidfile "$pid")
	[[ -n $redis_pass && -z $redis_user ]] && args+=(--requirepass "$redis_pass")
	# Where systemd runs the machine, let it run Debian's own redis-server unit.
	if [[ $redis_port == 6379 ]] && systemd_is_init && as_root systemctl start redis-server 2>/dev/null; then
		say "redis: started redis-server.service"
		return 0
	fi
	say "redis: starting redis-server on port $redis_port (data in $dir, log $log)"
	if is_root && id redis >/dev/null 2>&1; then
		as_user redis redis-server "${args[@]}" >/dev/null
	else
		redis-server "${args[@]}" >/dev/null 9>&-
	fi || die "could not start redis-server; see $log"
}

redis_check() {
	local info v
	info=$(redis_info) || die "Redis at $(redis_where) does not answer INFO (wrong password in SMM_REDIS_URL?)"
	v=$(sed -n 's/^redis_version:\([0-9.]*\).*/\1/p' <<<"$info")
	[[ -n $v ]] || die "Redis at $(redis_where) answered without a version"
	((${v%%.*} >= REDIS_MIN)) ||
		die "Redis $v at $(redis_where) is too old: Redis >= $REDIS_MIN is needed." \
			"On Debian >= 12 / Ubuntu >= 24.04: apt-get install redis-server; else https://redis.io/docs/latest/operate/oss_and_stack/install/"
	say "redis: ok ($v at $(redis_where))"
}

redis_candidate_ok() {
	local p major
	for p in "$@"; do
		[[ $p == redis-server ]] || continue
		major=$(apt_candidate_major redis-server)
		[[ -n $major ]] || die "apt has no 'redis-server' package; install Redis >= $REDIS_MIN"
		((major >= REDIS_MIN)) || die "apt would install Redis $major, and >= $REDIS_MIN is needed:" \
			"install Redis >= $REDIS_MIN (https://packages.redis.io), then run this again"
	done
}

# ------------------------------------------------------------------ etcd --

# parse_etcd_endpoints LIST: the first of the comma-separated client URLs sets
# etcd_scheme, etcd_host, etcd_port and etcd_url (scheme://host:port).
parse_etcd_endpoints() {
	local first=${1%%,*}
	first=${first//[[:space:]]/}
	local re='^((https?)://)?(\[[^]/]*\]|[^:/?]*)(:([0-9]+))?/?$'
	[[ $first =~ $re ]] || die "cannot read SMM_ETCD_ENDPOINTS ('$first')" \
		"expected comma-separated client URLs, e.g. http://127.0.0.1:2379,http://10.0.0.2:2379"
	etcd_scheme=${BASH_REMATCH[2]:-http}
	etcd_host=${BASH_REMATCH[3]#[}
	etcd_host=${etcd_host%]}
	etcd_host=${etcd_host:-127.0.0.1}
	etcd_port=${BASH_REMATCH[5]:-2379}
	etcd_url=$etcd_scheme://$(etcd_hostport "$etcd_host" "$etcd_port")
}

# etcd_hostport HOST PORT: host:port, with [] around an IPv6 address.
etcd_hostport() {
	if [[ $1 == *:* ]]; then printf '[%s]:%s' "$1" "$2"; else printf '%s:%s' "$1" "$2"; fi
}

etcd_where() { etcd_hostport "$etcd_host" "$etcd_port"; }
etcd_is_local() { is_local_host "$etcd_host"; }
etcd_installed() { have etcd; }
etcd_packages() { echo etcd-server; }

# etcd_get PATH: the body of GET etcd_url/PATH; curl, else HTTP/1.0 over
# /dev/tcp (plain http only). -k: a health probe sends nothing secret.
etcd_get() {
	if have curl; then
		curl -fsS -k --max-time 2 "$etcd_url$1" 2>/dev/null
		return
	fi
	[[ $etcd_scheme == http ]] || return 1
	# shellcheck disable=SC2016
	timeout 3 bash -c '
		set -e
		cr=$(printf "\r")
		exec 3<>"/dev/tcp/$1/$2"
		printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" "$4" >&3
		IFS= read -r line <&3
		[[ $line == "HTTP/1."?" 200"* ]] || exit 1
		while IFS= read -r line <&3; do
			[[ -n ${line%"$cr"} ]] || break
		done
		cat <&3
	' _ "$etcd_host" "$etcd_port" "$1" "$(etcd_where)" 2>/dev/null
}

# Healthy: a member that answers and sees a leader.
etcd_up() {
	local body
	body=$(etcd_get /health) || return 1
	[[ $body == *'"health":"true"'* || $body == *'"health": "true"'* ]]
}

# An etcd that answers /version (starting, or without a leader yet) is no stranger.
etcd_is_etcd() {
	local body
	body=$(etcd_get /version) || return 1
	[[ $body == *'"etcdserver"'* ]]
}
etcd_busy() { tcp_open "$etcd_host" "$etcd_port" && ! etcd_is_etcd; }

# etcd refuses to run on an architecture other than amd64 (and ppc64le in
# 3.4) unless ETCD_UNSUPPORTED_ARCH names it, in Go's spelling.
etcd_arch() {
	case $(uname -m) in
	x86_64 | amd64) ;;
	aarch64 | arm64) echo arm64 ;;
	armv* | arm) echo arm ;;
	i?86) echo 386 ;;
	ppc64le) echo ppc64le ;;
	*) uname -m ;;
	esac
}

etcd_start() {
	if etcd_is_etcd; then
		say "etcd: $(etcd_where) answers but reports no healthy leader yet; waiting"
		return 0
	fi
	[[ $etcd_scheme == http ]] ||
		die "etcd at $(etcd_where) does not answer, and SMM_ETCD_ENDPOINTS asks for https:" \
			"the bootstrap only starts a plain-http etcd; start yours, or use http://$(etcd_where)."
	# Debian's etcd.service listens on localhost:2379: let systemd run it where it can.
	if [[ $etcd_port == 2379 ]] && systemd_is_init && as_root systemctl start etcd 2>/dev/null &&
		wait_until 10 etcd_up; then
		say "etcd: started etcd.service"
		return 0
	fi
	local tmp=${TMPDIR:-/tmp} name=smm-etcd
	[[ $etcd_port == 2379 ]] || name=smm-etcd-$etcd_port
	local dir=$tmp/$name log=$tmp/$name.log pidfile=$tmp/$name.pid
	# Listening needs an IP address (or localhost); clients are told the URL as written.
	local listen_host=$etcd_host client peer peer_port='' p
	[[ $listen_host != localhost ]] || listen_host=127.0.0.1
	client=http://$(etcd_hostport "$listen_host" "$etcd_port")
	# The peer port: PORT+1 unless taken (then the next free one).
	for ((p = etcd_port + 1; p <= etcd_port + 20 && p <= 65535; p++)); do
		if ! tcp_open 127.0.0.1 "$p"; then
			peer_port=$p
			break
		fi
	done
	[[ -n $peer_port ]] || die "no free port for etcd's peers in $((etcd_port + 1))-$((etcd_port + 20)) on 127.0.0.1"
	peer=http://127.0.0.1:$peer_port
	# The data dir holds nothing to keep: start clean (a leftover of another
	# peer address or a killed run would only get in the way).
	rm -rf "$dir"
	mkdir -m 700 "$dir"
	local i pid arch
	local -a envs=() args=(--name default --data-dir "$dir"
		--listen-client-urls "$client" --advertise-client-urls "http://$(etcd_where)"
		--listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer"
		--initial-cluster "default=$peer" --initial-cluster-state new --initial-cluster-token smm
		--logger zap --log-outputs stderr)
	arch=$(etcd_arch)
	[[ -z $arch ]] || envs+=("ETCD_UNSUPPORTED_ARCH=$arch")
	say "etcd: starting etcd on $(etcd_where) (peer port $peer_port, data in $dir, log $log)"
	local -a launcher=(nohup)
	have setsid && launcher=(setsid nohup)
	(cd / && exec env "${envs[@]}" "${launcher[@]}" etcd "${args[@]}") </dev/null >"$log" 2>&1 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$pidfile"
	# Bounded: healthy, or the process is gone (then its log says why).
	for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
		etcd_up && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$pidfile"
			die "etcd exited at start; the end of $log:" "$(tail -n 5 "$log" 2>/dev/null)"
		fi
		sleep 0.2
	done
	die "etcd (pid $pid) did not become healthy at $(etcd_where) within ${WAIT_SECONDS}s; see $log"
}

etcd_check() {
	local body v re='"etcdserver" *: *"([0-9]+)\.([0-9]+)([^"]*)"'
	body=$(etcd_get /version) || die "etcd at $(etcd_where) does not answer GET /version"
	[[ $body =~ $re ]] || die "etcd at $(etcd_where) answered /version without a server version: $body"
	local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	v=$major.$minor${BASH_REMATCH[3]}
	if ((major < ETCD_MIN_MAJOR || (major == ETCD_MIN_MAJOR && minor < ETCD_MIN_MINOR))); then
		die "etcd $v at $(etcd_where) is too old: etcd >= $ETCD_MIN_MAJOR.$ETCD_MIN_MINOR is needed." \
			"On Debian >= 12 / Ubuntu >= 24.04: apt-get install etcd-server; else https://etcd.io/docs/latest/install/"
	fi
	local more=''
	[[ $SMM_ETCD_ENDPOINTS != *,* ]] || more=', the first of SMM_ETCD_ENDPOINTS'
	say "etcd: ok ($v at $(etcd_where)$more)"
}

etcd_candidate_ok() {
	local p v major minor
	for p in "$@"; do
		[[ $p == etcd-server ]] || continue
		v=$(apt-cache policy etcd-server 2>/dev/null | awk '/Candidate:/ && v == "" {v = $2} END {print v}')
		[[ -n $v && $v != '(none)' ]] ||
			die "apt has no 'etcd-server' package; install etcd >= $ETCD_MIN_MAJOR.$ETCD_MIN_MINOR (https://etcd.io/docs/latest/install/)"
		v=${v#*:}
		major=${v%%.*} minor=${v#*.}
		minor=${minor%%[.+~-]*}
		if ((major < ETCD_MIN_MAJOR || (major == ETCD_MIN_MAJOR && minor < ETCD_MIN_MINOR))); then
			die "apt would install etcd ${v%%[+~-]*}, and >= $ETCD_MIN_MAJOR.$ETCD_MIN_MINOR is needed:" \
				"install etcd >= $ETCD_MIN_MAJOR.$ETCD_MIN_MINOR from https://github.com/etcd-io/etcd/releases, then run this again"
		fi
	done
}

# ------------------------------------------------------------------ main --

main() {
	local race=0 go_only=0 arg
	for arg in "$@"; do
		case $arg in
		--race) race=1 ;;
		--go-only) go_only=1 ;;
		-h | --help)
			sed -n '2,/^set -Eeuo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
			return 0
			;;
		*) die "unknown argument: $arg (see --help)" ;;
		esac
	done

	check_go
	((go_only)) && return 0

	# One bootstrap at a time (parallel `make test` runs).
	local lock
	lock=${TMPDIR:-/tmp}/smm-bootstrap-$(id -u).lock
	if have flock && { exec 9>>"$lock"; } 2>/dev/null; then
		flock -w 120 9 || die "another bootstrap has held $lock for 2 minutes"
	fi

	parse_pg_url "$SMM_DATABASE_URL" pg_app
	parse_pg_url "$SMM_DATABASE_OWNER_URL" pg_owner
	[[ $pg_app_user != "$pg_owner_user" ]] ||
		die "SMM_DATABASE_URL and SMM_DATABASE_OWNER_URL name the same role ($pg_app_user):" \
			"the application role must not own the schema (row-level security would not bind it)."
	[[ $pg_app_host == "$pg_owner_host" && $pg_app_port == "$pg_owner_port" ]] ||
		die "SMM_DATABASE_URL and SMM_DATABASE_OWNER_URL must name the same server" \
			"($pg_app_host:$pg_app_port vs $pg_owner_host:$pg_owner_port)"
	parse_redis_url "$SMM_REDIS_URL"
	parse_etcd_endpoints "$SMM_ETCD_ENDPOINTS"

	# 1. What is missing? Clients are needed even when the server answers.
	local s pkgs=() down=()
	pg_tools || pkgs+=(postgresql-client)
	for s in "${SERVICES[@]}"; do
		if "${s}_up"; then continue; fi
		down+=("$s")
		"${s}_is_local" || die "$s at $("${s}_where") does not answer, and it is not on this machine:" \
			"start it, or point the SMM_* URL at one that answers."
		! "${s}_busy" || die "something listens at $("${s}_where") but does not answer as $s should:" \
			"check the URL (password?), or stop what holds that port."
	done
	for s in "${down[@]}"; do
		"${s}_installed" && continue
		# shellcheck disable=SC2207
		pkgs+=($("${s}_packages"))
	done
	# shellcheck disable=SC2207
	((race)) && pkgs+=($(cc_packages))
	# shellcheck disable=SC2207
	pkgs+=($(protoc_packages))
	if ((${#pkgs[@]})); then
		mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | awk '!seen[$0]++')
		apt_install "${pkgs[@]}"
	fi

	pg_tools || die "psql and pg_isready are missing: install postgresql-client"
	# 2. Start what is installed but stopped (apt may have started it already).
	for s in "${down[@]}"; do
		if ! "${s}_up"; then "${s}_start"; fi
		wait_until "$WAIT_SECONDS" "${s}_up" ||
			die "$s did not answer at $("${s}_where") within ${WAIT_SECONDS}s"
	done

	# 3. Versions and provisioning.
	for s in "${SERVICES[@]}"; do "${s}_check"; done
	((race)) && check_cc
	check_protoc

	local end=${EPOCHREALTIME/,/.}
	say "bootstrap: done in $(awk -v a="$START" -v b="$end" 'BEGIN { printf "%.2fs", b - a }')"
}

main "$@"
