#!/usr/bin/env bash
# A small "cluster" on one machine for spanscope's tests: one network namespace per node, each with its own
# address, all attached to one bridge in the root namespace, which routes between them and does the NAT a
# Kubernetes Service would (kube-proxy style DNAT of a service address, optionally masquerading the caller).
#
#   netns-lab.sh up PREFIX NODE...             namespaces PREFIX-NODE; prints "NODE ADDRESS" per node
#   netns-lab.sh expose PREFIX NODE PORT TARGET_PORT [masquerade]
#                                              service address of NODE: SERVICE_IP:PORT -> NODE:TARGET_PORT;
#                                              prints "SERVICE_IP"; with masquerade callers appear as the bridge
#   netns-lab.sh down PREFIX                   removes everything named after PREFIX (also after a crash)
#
# Layout (x from PREFIX, so parallel labs do not collide): bridge PREFIX-br is 10.213.x.1/24; node i is
# 10.213.x.(10+i)/32 with only "10.213.x.0/24 via 10.213.x.1", so every packet between nodes is routed (and
# NATed) in the root namespace; node i's service address is 10.213.x.(138+i), on no interface.
# Nothing leaves the machine: nodes have no default route, only the bridge forwards (its own forwarding
# switch; the host's ip_forward is untouched), and forwarding is allowed from the bridge to the bridge only.
# Root; idempotent; needs iproute2 and nftables.
set -euo pipefail

die() { echo "netns-lab: $*" >&2; exit 1; }
usage() { die "usage: $0 up PREFIX NODE... | expose PREFIX NODE PORT TARGET_PORT [masquerade] | down PREFIX"; }

[ $# -ge 2 ] || usage
action=$1 prefix=$2
shift 2
[ "$(id -u)" = 0 ] || die "run as root (it creates namespaces, interfaces and nftables rules)"
# interface names are at most 15 bytes: PREFIX + "h" + node index + "-br" must fit
[[ $prefix =~ ^[a-z][a-z0-9]{0,9}$ ]] || die "PREFIX must be 1-10 lowercase letters/digits, starting with a letter"
command -v nft >/dev/null || die "nft missing (apt-get install nftables; scripts/setup.sh installs it)"

bridge="$prefix-br"
table="spanscope_lab_$prefix"
subnet_byte=$(( $(printf '%s' "$prefix" | cksum | cut -d' ' -f1) % 250 + 1 ))
net="10.213.$subnet_byte"
gateway="$net.1"

node_ns() { echo "$prefix-$1"; }

lab_up() {
  [ $# -ge 1 ] || usage
  [ $# -le 100 ] || die "at most 100 nodes"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    # another lab with a colliding subnet would make routing ambiguous: refuse rather than mix them
    if ip -4 route show "$net.0/24" | grep -q .; then die "$net.0/24 is already routed on this host"; fi
    ip link add "$bridge" type bridge
    ip addr add "$gateway/24" dev "$bridge"
  fi
  ip link set "$bridge" up
  # forward only what arrives on the bridge; ICMP redirects would teach nodes to bypass the NAT
  sysctl -qw "net.ipv4.conf.$bridge.forwarding=1" "net.ipv4.conf.$bridge.send_redirects=0"
  nft -f - <<EOF
table ip $table {
  chain forward {
    type filter hook forward priority filter - 1; policy accept;
  }
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
}
EOF
  # the forward rules are re-created on every "up"; service rules (expose) stay
  nft flush chain ip "$table" forward
  nft add rule ip "$table" forward iifname "$bridge" oifname != "$bridge" drop
  nft add rule ip "$table" forward oifname "$bridge" iifname != "$bridge" drop
  local i=0 node ns host_if address
  for node in "$@"; do
    [[ $node =~ ^[a-z][a-z0-9]*$ ]] || die "node names are lowercase letters/digits: $node"
    ns=$(node_ns "$node") host_if="${prefix}h$i" address="$net.$((10 + i))"
    [ -e "/run/netns/$ns" ] || ip netns add "$ns"
    if ! ip link show "$host_if" >/dev/null 2>&1; then
      ip link add "$host_if" type veth peer name eth0 netns "$ns"
    fi
    ip link set "$host_if" master "$bridge" up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" addr replace "$address/32" dev eth0
    ip -n "$ns" route replace "$gateway" dev eth0 scope link
    ip -n "$ns" route replace "$net.0/24" via "$gateway" dev eth0
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.eth0.accept_redirects=0 \
      net.ipv6.conf.all.disable_ipv6=1
    echo "$node $address"
    i=$((i + 1))
  done
}

lab_expose() {
  [ $# -ge 3 ] && [ $# -le 4 ] || usage
  local node=$1 port=$2 target_port=$3 mode=${4:-}
  [ -z "$mode" ] || [ "$mode" = masquerade ] || usage
  local ns address last service
  ns=$(node_ns "$node")
  [ -e "/run/netns/$ns" ] || die "no node $node in lab $prefix (run up first)"
  address=$(ip -n "$ns" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
  [ -n "$address" ] || die "node $node has no address"
  last=${address##*.}
  service="$net.$((last + 128))"
  local tag="svc $service:$port"
  if ! nft -a list chain ip "$table" prerouting | grep -qF "comment \"$tag\""; then
    nft add rule ip "$table" prerouting iifname "$bridge" ip daddr "$service" tcp dport "$port" \
      dnat to "$address:$target_port" comment "\"$tag\""
  fi
  if [ "$mode" = masquerade ] && ! nft -a list chain ip "$table" postrouting | grep -qF "comment \"$tag\""; then
    # after DNAT: the translated destination, and the service address it was reached by
    nft add rule ip "$table" postrouting oifname "$bridge" ip daddr "$address" tcp dport "$target_port" \
      ct original ip daddr "$service" masquerade comment "\"$tag\""
  fi
  echo "$service"
}

lab_down() {
  [ $# -eq 0 ] || usage
  local ns link
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$prefix-[a-z0-9]+$" || true); do
    # processes still inside keep a namespace alive after its name is gone: end them first
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
  for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${prefix}h[0-9]+$" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  if ip link show "$bridge" >/dev/null 2>&1; then ip link del "$bridge"; fi
  if nft list table ip "$table" >/dev/null 2>&1; then nft delete table ip "$table"; fi
}

case $action in
  up) lab_up "$@" ;;
  expose) lab_expose "$@" ;;
  down) lab_down "$@" ;;
  *) usage ;;
esac
