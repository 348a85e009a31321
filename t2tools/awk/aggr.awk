# aggr(fields[, val[, num]]): aggregates the rows by the value(s) of fields and sums val for
#     each, printing the result at the end, sorted by the first sum (largest first): the top
#     num rows if num > 0, the bottom -num rows (smallest first) if num < 0, all if num is
#     omitted or 0. fields and val may join several values with OFS, e.g. $srcIP OFS $dstIP; a
#     val of "flows" (the default), "packets" or "rows" (any case) counts rows. On the header
#     row aggr() records the column names, printed as the result's first row (not with -H).
#
# Examples:
#   tawk 'aggr($srcIP, $l7BytesSnt, 10)' f_flows.txt             # top 10 talkers by bytes
#   tawk 'aggr(tuple2(), $l7BytesSnt OFS "flows", 5)' f_flows.txt  # bytes and flows per pair
#   tawk 'dport(53) { aggr($srcIP) }' f_flows.txt                # DNS flows per client

function aggr(fields, val, num,        _v, _n, _i, _sum) {
    if (val == "") val = "flows"
    _t2_aggr_num = num + 0
    if (hdr()) {
        _t2_aggr_hdr = fields OFS val
        return
    }
    _n = split(val, _v, OFS)
    if (!(fields in _t2_aggr)) {
        _t2_aggr_order[++_t2_aggr_count] = fields
        _t2_aggr[fields] = ""
    }
    split(_t2_aggr[fields], _sum, OFS)
    for (_i = 1; _i <= _n; _i++) {
        _sum[_i] += (tolower(_v[_i]) ~ /^(flows|packets|rows)$/) ? 1 : strtonum(_v[_i])
    }
    _t2_aggr[fields] = _sum[1]
    for (_i = 2; _i <= _n; _i++) _t2_aggr[fields] = _t2_aggr[fields] OFS _sum[_i]
}

# Sorts by the first sum: larger first (smaller first with a negative num), then first seen.
function _t2_aggr_cmp(i1, v1, i2, v2,        _a, _b) {
    _a = _t2_aggr_first[v1]
    _b = _t2_aggr_first[v2]
    if (_a != _b) return (_t2_aggr_num < 0) ? (_a < _b ? -1 : 1) : (_a > _b ? -1 : 1)
    return i1 - i2
}

END {
    if (_t2_aggr_count && !_t2_dead) {
        for (_t2_i = 1; _t2_i <= _t2_aggr_count; _t2_i++) {
            _t2_k = _t2_aggr_order[_t2_i]
            split(_t2_aggr[_t2_k], _t2_s, OFS)
            _t2_aggr_first[_t2_k] = _t2_s[1]
        }
        if (_t2_aggr_hdr != "") print _t2_aggr_hdr
        _t2_n = (_t2_aggr_num < 0) ? -_t2_aggr_num : _t2_aggr_num
        PROCINFO["sorted_in"] = "_t2_aggr_cmp"
        _t2_printed = 0
        for (_t2_i in _t2_aggr_order) {
            if (_t2_n && _t2_printed++ >= _t2_n) break
            print _t2_aggr_order[_t2_i] OFS _t2_aggr[_t2_aggr_order[_t2_i]]
        }
        delete PROCINFO["sorted_in"]
    }
}
