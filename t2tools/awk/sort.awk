# t2sort(col[, num[, type[, rev]]]): prints the rows at the end, sorted by column number col
#     (several: col1 ";" col2); the first num rows if num > 0, the last -num if num < 0, all
#     if num is omitted or 0; type is "num" (numbers, 0x hex too), "ip" (IPv4 before IPv6,
#     each in address order) or "str", else guessed from the first row; rev = 1 sorts in
#     reverse order. The header row is printed first (not with -H). Equal rows keep their
#     order.
# t2rsort(col[, num[, type]]): t2sort in reverse order (largest first)
#
# Examples:
#   tawk 't2rsort(duration, 5)' f_flows.txt                  # the 5 longest flows
#   tawk 't2sort(srcIP ";" srcPort, 0, "ip")' f_flows.txt

function t2sort(col, num, type, rev,        _cols, _n, _i, _v) {
    _t2_sort_num = num + 0
    _t2_sort_rev = rev ? 1 : 0
    if (hdr()) {
        _t2_sort_hdr = $0
        return
    }
    _n = split(col, _cols, ";")
    if (_t2_sort_type == "") _t2_sort_type = type != "" ? type : _t2_sort_guess($(_cols[1]))
    _t2_sort_kn = _n
    _t2_sort_count++
    for (_i = 1; _i <= _n; _i++) {
        _v = $(_cols[_i])
        if (_t2_sort_type == "num") _v = strtonum(_v)
        else if (_t2_sort_type == "ip") _v = _t2_sort_ipkey(_v)
        else _v = _v ""
        _t2_sort_k[_t2_sort_count, _i] = _v
    }
    _t2_sort_row[_t2_sort_count] = $0
}

function t2rsort(col, num, type) {
    return t2sort(col, num, type, 1)
}

function _t2_sort_guess(v) {
    if (_t2_ip4num(v) >= 0 && v ~ /\./ || _t2_ip6hex(v) != "") return "ip"
    if (v ~ /^-?[0-9]+(\.[0-9]*)?$/ || v ~ /^0[xX][[:xdigit:]]+$/ || v == "") return "num"
    return "str"
}

# Addresses as comparable strings: IPv4 first, then IPv6; anything else after them.
function _t2_sort_ipkey(v,        _n, _h) {
    _n = _t2_ip4num(v)
    if (_n >= 0) return "4" sprintf("%010d", _n)
    _h = _t2_ip6hex(v)
    if (_h != "") return "6" _h
    return "9" v
}

# Orders row numbers i1 and i2 by their keys, then by their position (a stable sort).
function _t2_sort_cmp(i1, v1, i2, v2,        _i, _a, _b) {
    for (_i = 1; _i <= _t2_sort_kn; _i++) {
        _a = _t2_sort_k[i1, _i]
        _b = _t2_sort_k[i2, _i]
        if (_a != _b) return (_a < _b) != _t2_sort_rev ? -1 : 1
    }
    return i1 - i2
}

END {
    if (_t2_sort_count && !_t2_dead) {
        if (_t2_sort_hdr != "") print _t2_sort_hdr
        _t2_n = (_t2_sort_num < 0) ? -_t2_sort_num : _t2_sort_num
        _t2_first = (_t2_sort_num < 0) ? _t2_sort_count - _t2_n + 1 : 1
        _t2_last = (_t2_sort_num > 0) ? _t2_n : _t2_sort_count
        PROCINFO["sorted_in"] = "_t2_sort_cmp"
        _t2_pos = 0
        for (_t2_i in _t2_sort_row) {
            _t2_pos++
            if (_t2_pos >= _t2_first && _t2_pos <= _t2_last) print _t2_sort_row[_t2_i]
        }
        delete PROCINFO["sorted_in"]
    }
}
