# ip2num(ip): an IPv4 address as a number; an IPv6 address as 0x and 32 hex digits (awk's
#     numbers cannot hold 128 bits); "" if ip is no address
# ip2str(n): the dotted IPv4 address of the number n (decimal or 0x hex)
# ipinnet(ip, net[, mask]): true if ip lies in net: "ADDR/LEN" (IPv4 or IPv6), "ADDR/MASK", or
#     ADDR with mask given as a prefix length, a dotted mask or a 0x hex mask
# ipinrange(ip, low, high): true if the IPv4 address ip lies between low and high (inclusive)
# privip(ip): true if ip is private: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (IPv4) or a
#     unique local IPv6 address (fc00::/7)
#
# Examples:
#   tawk '{ print ip2num($srcIP) }' f_flows.txt
#   tawk 'ipinnet($srcIP, "192.168.1.0", 24)' f_flows.txt
#   tawk 'privip($srcIP) && !privip($dstIP)' f_flows.txt

function ip2num(ip,        _v, _h) {
    _v = _t2_ip4num(ip)
    if (_v >= 0) return _v
    _h = _t2_ip6hex(ip)
    return _h == "" ? "" : "0x" _h
}

function ip2str(n) {
    n = strtonum(n)
    return sprintf("%d.%d.%d.%d", int(n / 16777216) % 256, int(n / 65536) % 256, int(n / 256) % 256, n % 256)
}

function ipinnet(ip, net, mask,        _p, _len, _a, _n, _h, _nh, _full, _rest, _m) {
    if (split(net, _p, "/") == 2) {
        net = _p[1]
        mask = _p[2]
    }
    _h = _t2_ip6hex(ip)
    _nh = _t2_ip6hex(net)
    if (_h != "" || _nh != "") {
        if (_h == "" || _nh == "") return 0
        _len = mask == "" ? 128 : strtonum(mask)
        if (_len < 0 || _len > 128) return 0
        _full = int(_len / 4)
        if (substr(_h, 1, _full) != substr(_nh, 1, _full)) return 0
        _rest = _len % 4
        if (_rest == 0) return 1
        _m = 16 - 2 ^ (4 - _rest)
        return and(_t2_nibble(_h, 32 - _full), _m) == and(_t2_nibble(_nh, 32 - _full), _m)
    }
    _a = _t2_ip4num(ip)
    _n = _t2_ip4num(net)
    if (_a < 0 || _n < 0) return 0
    if (mask == "") {
        _len = 32
    } else if (mask ~ /\./ || mask ~ /^0[xX]/ || mask + 0 > 32) {
        _m = _t2_ip4num(mask)
        for (_len = 0; _len < 32 && _m >= 2 ^ 31; _len++) _m = (_m * 2) % 4294967296
    } else {
        _len = strtonum(mask)
    }
    if (_len < 0 || _len > 32) return 0
    return int(_a / 2 ^ (32 - _len)) == int(_n / 2 ^ (32 - _len))
}

function ipinrange(ip, low, high,        _a) {
    _a = _t2_ip4num(ip)
    return _a >= 0 && _t2_ip4num(low) <= _a && _a <= _t2_ip4num(high)
}

function privip(ip) {
    if (_t2_ip6hex(ip) != "") return ipinnet(ip, "fc00::/7")
    return ipinnet(ip, "10.0.0.0/8") || ipinnet(ip, "172.16.0.0/12") || ipinnet(ip, "192.168.0.0/16")
}
