# host([ip|net]): true if the source or the destination address is ip or lies in net
# shost([ip|net]), dhost([ip|net]): the same for the source or the destination only
# net(), snet(), dnet(): other names of host(), shost(), dhost()
#
# ip is an IPv4 address (dotted, 0x hex or a number) or an IPv6 address; net is ADDR/LEN
# (CIDR, IPv4 or IPv6) or ADDR/MASK with a dotted IPv4 mask. Without an argument the functions
# return the addresses (source and destination for host()). On the header row they are true.
#
# Examples:
#   tawk 'host("192.168.1.10")' f_flows.txt
#   tawk 'snet("192.168.0.0/16") && !dnet("192.168.0.0/16")' f_flows.txt   # leaving the LAN
#   tawk 'dhost("2001:db8::53")' f_flows.txt
#   tawk '{ print shost() }' f_flows.txt | sortu

function host(ip) {
    if (ip == "" || (__PRIHDR__ && hdr())) return shost() OFS dhost()
    return _t2_addr_is($_t2_col("srcIP", "host"), ip) || _t2_addr_is($_t2_col("dstIP", "host"), ip)
}

function shost(ip,        _c) {
    _c = _t2_col("srcIP", "shost")
    if (ip == "" || (__PRIHDR__ && hdr())) return $_c
    return _t2_addr_is($_c, ip)
}

function dhost(ip,        _c) {
    _c = _t2_col("dstIP", "dhost")
    if (ip == "" || (__PRIHDR__ && hdr())) return $_c
    return _t2_addr_is($_c, ip)
}

function net(ip) { return host(ip) }
function snet(ip) { return shost(ip) }
function dnet(ip) { return dhost(ip) }

# Whether address a is ip, or lies in net when ip contains a '/'.
function _t2_addr_is(a, ip,        _a6, _i6) {
    if (index(ip, "/")) return ipinnet(a, ip)
    _i6 = _t2_ip6hex(ip)
    if (_i6 != "") return _t2_ip6hex(a) == _i6
    return _t2_ip4num(ip) >= 0 && _t2_ip4num(a) == _t2_ip4num(ip)
}
