# proto([p]): true if the layer-4 protocol number (l4Proto) is in p (a number, or numbers and
#     LOW-HIGH ranges separated by ';' or ','); without p, the protocol number
# proto2str([p]): the name of protocol number p (default: the flow's), e.g. TCP
# icmp(), igmp(), tcp(), udp(), gre(), icmp6(), sctp(): true for that protocol
# ip(), ipv4(), ipv6(): true if the flow is IPv4 or IPv6, IPv4, IPv6 (from flowStat)
#
# On the header row they are true (proto() and proto2str() return the column name).
#
# Examples:
#   tawk 'tcp() || udp()' f_flows.txt
#   tawk '{ print proto2str() }' f_flows.txt | sortu
#   tawk 'ipv6() && icmp6()' f_flows.txt

function proto(p,        _c) {
    _c = _t2_col("l4Proto", "proto")
    if (p == "" || (__PRIHDR__ && hdr())) return $_c
    return _t2_inlist($_c, p)
}

function proto2str(p) {
    if (p == "") {
        if (__PRIHDR__ && hdr()) return $_t2_col("l4Proto", "proto2str")
        p = $_t2_col("l4Proto", "proto2str")
    }
    p = strtonum(p)
    return (p in _t2_proto) ? _t2_proto[p] : p
}

function icmp() { return proto(1) }
function igmp() { return proto(2) }
function tcp() { return proto(6) }
function udp() { return proto(17) }
function gre() { return proto(47) }
function icmp6() { return proto(58) }
function sctp() { return proto(132) }

function ip() { return ipv4() || ipv6() }

function ipv4() {
    if (__PRIHDR__ && hdr()) return 1
    return bitsanyset($_t2_col("flowStat", "ipv4"), 0x4000)
}

function ipv6() {
    if (__PRIHDR__ && hdr()) return 1
    return bitsanyset($_t2_col("flowStat", "ipv6"), 0x8000)
}
