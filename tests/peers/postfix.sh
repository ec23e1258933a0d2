#!/usr/bin/env bash
# A throw-away Postfix instance in a directory of its own, for mailcheck's
# peer tests and benchmarks. Nothing outside DIR is touched: the instance
# has its own configuration, queue, data and log, and listens on 127.0.0.1
# only. It never looks up DNS: next hops are IP literals.
#
#   postfix.sh start DIR --port PORT [--relayhost PORT] [--maildir MAILDIR]
#                        [--tls-cert FILE --tls-key FILE] [--ca FILE]
#   postfix.sh stop DIR
#   postfix.sh flush DIR
#
# --relayhost PORT   every message goes to 127.0.0.1:PORT (mailcheck serve),
#                    with STARTTLS when the server offers it (verified
#                    against --ca when given);
# --maildir MAILDIR  every message to any address at bench.test is
#                    delivered into MAILDIR (Postfix's own virtual(8)
#                    delivery, for comparison benchmarks);
# --tls-cert/--tls-key  the certificate smtpd offers with STARTTLS.
#
# Must run as root (Postfix's master starts as root and drops to the
# postfix user). Exits 0 once the instance accepts connections.
set -euo pipefail

cmd=${1:?usage: postfix.sh start|stop|flush DIR ...}
dir=$(realpath -m "${2:?the instance directory}")
shift 2

case "$cmd" in
stop)
    [ -f "$dir/etc/main.cf" ] && postfix -c "$dir/etc" stop > /dev/null 2>&1 || true
    exit 0
    ;;
flush)
    postfix -c "$dir/etc" flush
    exit 0
    ;;
start) ;;
*)
    echo "postfix.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac

port='' relay='' maildir='' cert='' key='' ca=''
while [ $# -gt 0 ]; do
    case "$1" in
    --port) port=$2 ;;
    --relayhost) relay=$2 ;;
    --maildir) maildir=$(realpath -m "$2") ;;
    --tls-cert) cert=$(realpath "$2") ;;
    --tls-key) key=$(realpath "$2") ;;
    --ca) ca=$(realpath "$2") ;;
    *)
        echo "postfix.sh: unknown option $1" >&2
        exit 2
        ;;
    esac
    shift 2
done
[ -n "$port" ] || { echo "postfix.sh: --port is required" >&2; exit 2; }

mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
# Postfix works as its own user in here: every directory above must let it in.
parent=$(dirname "$dir")
while [ "$parent" != / ]; do
    [ -x "$parent" ] && [ "$(( 0$(stat -c %a "$parent") & 1 ))" -eq 1 ] || {
        echo "postfix.sh: $parent is not searchable by other users; Postfix could not work in $dir" >&2
        exit 1
    }
    parent=$(dirname "$parent")
done
chmod 755 "$dir"
chown postfix "$dir/data"

{
    cat <<CONF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = relay.mailcheck.test
smtpd_banner = \$myhostname ESMTP Postfix
mydomain = mailcheck.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_dns_support_level = disabled
smtp_host_lookup = native
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
message_size_limit = 52428800
default_process_limit = 100
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
in_flow_delay = 0
CONF
    if [ -n "$relay" ]; then
        echo "relayhost = [127.0.0.1]:$relay"
        if [ -n "$ca" ]; then
            echo "smtp_tls_security_level = verify"
            echo "smtp_tls_CAfile = $ca"
            echo "smtp_tls_verify_cert_match = hostname, nexthop"
            echo "smtp_tls_servername = mx.mailcheck.test"
            echo "smtp_tls_policy_maps = inline:{ {[127.0.0.1]:$relay = verify match=mx.mailcheck.test} }"
        else
            echo "smtp_tls_security_level = may"
        fi
        echo "smtp_tls_loglevel = 1"
    fi
    if [ -n "$maildir" ]; then
        mkdir -p "$maildir"
        chown -R postfix "$maildir"
        echo "virtual_mailbox_domains = bench.test"
        echo "virtual_mailbox_base = $(dirname "$maildir")"
        echo "virtual_mailbox_maps = static:$(basename "$maildir")/"
        echo "virtual_uid_maps = static:$(id -u postfix)"
        echo "virtual_gid_maps = static:$(id -g postfix)"
        echo "virtual_destination_concurrency_limit = 20"
        echo "virtual_mailbox_limit = 0"
    fi
    if [ -n "$cert" ]; then
        echo "smtpd_tls_cert_file = $cert"
        echo "smtpd_tls_key_file = $key"
        echo "smtpd_tls_security_level = may"
        echo "smtpd_tls_loglevel = 1"
    fi
} > "$dir/etc/main.cf"

# Every service of a minimal MTA; none chrooted (the instance has no chroot jail).
cat > "$dir/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
virtual   unix  - n n - - virtual
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF

postfix -c "$dir/etc" check > /dev/null 2>&1 || postfix -c "$dir/etc" check
postfix -c "$dir/etc" start > /dev/null 2>&1 || {
    echo "postfix.sh: postfix did not start; its log:" >&2
    cat "$dir/maillog" >&2 2>/dev/null || true
    exit 1
}
for _ in $(seq 100); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
        exit 0
    fi
    sleep 0.1
done
echo "postfix.sh: postfix is not listening on 127.0.0.1:$port; its log:" >&2
cat "$dir/maillog" >&2 2>/dev/null || true
exit 1
