# Helpers the other functions share (their names start with _t2_; not meant for programs).
#
# tawk's prelude sets, before this file runs: __HDRROW__ (the row of the column names, 0 if
# none), __PRIHDR__ (0 with -H), the column arrays _t2_colnum[name] and _t2_colname[number],
# and one variable per column holding its number, so that $srcIP is the srcIP column.

# Rows above the column names are comments: the program never sees them.
FNR < __HDRROW__ { next }
# -H: neither does it see the row with the column names.
FNR == __HDRROW__ && !__PRIHDR__ { next }

# The number of the first of the ';'-separated columns that exists; stops tawk otherwise.
function _t2_col(names, caller,        _n, _i, _name) {
    _n = split(names, _name, ";")
    for (_i = 1; _i <= _n; _i++) {
        if (_name[_i] in _t2_colnum) return _t2_colnum[_name[_i]]
    }
    _t2_die(caller "(): the input has no column " (_n > 1 ? "among " : "") "'" names "'")
}

# Stops with one error line on stderr and exit status 2 (the END rules of the library print
# nothing after it).
function _t2_die(msg) {
    printf "tawk: %s\n", msg > "/dev/stderr"
    _t2_dead = 1
    exit 2
}

# s without one pair of surrounding double quotes (T2 writes strings quoted).
function _t2_unquote(s) {
    if (s ~ /^".*"$/ && length(s) >= 2) return substr(s, 2, length(s) - 2)
    return s
}

# Whether the number v is in list, a ';' or ',' separated list of numbers and LOW-HIGH ranges
# (decimal or 0x hex), e.g. "53;80;6000-6008". A single number may also be given as a number.
function _t2_inlist(v, list,        _n, _i, _item, _r) {
    v = strtonum(v)
    _n = split(list, _item, /[;,]/)
    for (_i = 1; _i <= _n; _i++) {
        if (split(_item[_i], _r, "-") == 2) {
            if (strtonum(_r[1]) <= v && v <= strtonum(_r[2])) return 1
        } else if (_item[_i] != "" && strtonum(_item[_i]) == v) {
            return 1
        }
    }
    return 0
}

# The lower-case hex digits of v (a 0x string, or a number), without 0x. Working on digits
# keeps 64-bit fields such as flowStat exact (awk numbers are doubles: 53 bits).
function _t2_hex(v) {
    if (v ~ /^0[xX][[:xdigit:]]+$/) return tolower(substr(v, 3))
    if (v ~ /^[0-9]+$/ && length(v) > 15) return _t2_dec2hex(v)
    return sprintf("%x", strtonum(v))
}

# Hex digits of a long decimal string (beyond awk's exact integers), by long division.
function _t2_dec2hex(d,        _hex, _q, _r, _i, _c) {
    _hex = ""
    while (d != "" && d != "0") {
        _q = ""
        _r = 0
        for (_i = 1; _i <= length(d); _i++) {
            _c = _r * 10 + substr(d, _i, 1)
            _q = _q int(_c / 16)
            _r = _c % 16
        }
        sub(/^0+/, "", _q)
        _hex = substr("0123456789abcdef", _r + 1, 1) _hex
        d = _q
    }
    return _hex == "" ? "0" : _hex
}

# The value (0-15) of hex digit i counted from the right (1 = lowest) of digits h.
function _t2_nibble(h, i) {
    if (i > length(h)) return 0
    return index("0123456789abcdef", substr(h, length(h) - i + 1, 1)) - 1
}

# An IPv4 address (dotted, 0x hex or a number) as a number; -1 if it is none.
function _t2_ip4num(ip,        _o) {
    ip = _t2_unquote(ip)
    if (ip ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) {
        split(ip, _o, ".")
        if (_o[1] > 255 || _o[2] > 255 || _o[3] > 255 || _o[4] > 255) return -1
        return ((_o[1] * 256 + _o[2]) * 256 + _o[3]) * 256 + _o[4]
    }
    if (ip ~ /^0[xX][[:xdigit:]]{1,8}$/ || (ip ~ /^[0-9]+$/ && ip + 0 <= 4294967295)) return strtonum(ip)
    return -1
}

# An IPv6 address as its 32 lower-case hex digits; "" if it is none. Accepts :: and a dotted
# IPv4 tail (::ffff:1.2.3.4).
function _t2_ip6hex(ip,        _head, _tail, _h, _t, _nh, _nt, _i, _out, _v4, _missing) {
    ip = tolower(_t2_unquote(ip))
    if (ip !~ /^[0-9a-f:.]+$/ || index(ip, ":") == 0) return ""
    if (ip ~ /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) {
        match(ip, /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/)
        _v4 = _t2_ip4num(substr(ip, RSTART))
        if (_v4 < 0) return ""
        ip = substr(ip, 1, RSTART - 1) sprintf("%x:%x", int(_v4 / 65536), _v4 % 65536)
    }
    if (index(ip, "::")) {
        _head = substr(ip, 1, index(ip, "::") - 1)
        _tail = substr(ip, index(ip, "::") + 2)
        if (index(_tail, "::")) return ""
        _nh = _head == "" ? 0 : split(_head, _h, ":")
        _nt = _tail == "" ? 0 : split(_tail, _t, ":")
        _missing = 8 - _nh - _nt
        if (_missing < 1) return ""
    } else {
        _nh = split(ip, _h, ":")
        _nt = 0
        _missing = 0
        if (_nh != 8) return ""
    }
    _out = ""
    for (_i = 1; _i <= _nh; _i++) {
        if (_h[_i] !~ /^[0-9a-f]{1,4}$/) return ""
        _out = _out sprintf("%04s", _h[_i])
    }
    for (_i = 1; _i <= _missing; _i++) _out = _out "0000"
    for (_i = 1; _i <= _nt; _i++) {
        if (_t[_i] !~ /^[0-9a-f]{1,4}$/) return ""
        _out = _out sprintf("%04s", _t[_i])
    }
    gsub(/ /, "0", _out)
    return _out
}

# s with the characters that regular expressions give a meaning escaped.
function _t2_regesc(s) {
    gsub(/[][\\^$.|?*+(){}\/]/, "\\\\&", s)
    return s
}
