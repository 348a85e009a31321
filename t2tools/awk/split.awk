# t2split(val, sep[, num[, osep]]): the parts of val split at sep: all of them separated by
#     osep (default OFS) when num is omitted or 0; else part num (1 = first, -1 = last), or the
#     parts listed in num ("1;-1"), separated by osep. A quoted value ("a";"b") is split at
#     the separators between quotes and each part keeps its quotes.
# splitc(val[, num[, osep]]): t2split(val, "_", ...), for compound values (srcMac_dstMac_numP)
# splitr(val[, num[, osep]]): t2split(val, ";", ...), for repeated values (one per packet, ...)
#
# Examples:
#   tawk '{ print splitc($ip6OptCntHH_D, 1) }' f_flows.txt          # hop-by-hop count
#   tawk '{ print splitr($dnsAname, -1) }' f_flows.txt              # last DNS answer
#   tawk '{ print splitr($dnsAname, 0, "\n") }' f_flows.txt | sortu  # every answer

function t2split(val, sep, num, osep,        _q, _part, _n, _want, _m, _i, _k, _idx, _out) {
    if (osep == "") osep = OFS
    _q = (val ~ /^".*"$/ && length(val) >= 2)
    if (_q) {
        val = substr(val, 2, length(val) - 2)
        sep = "\"" sep "\""
    }
    _n = split(val, _part, _t2_regesc(sep))
    _m = (num == "" || num == 0) ? 0 : split(num, _want, ";")
    _out = ""
    if (_m == 0) {
        for (_i = 1; _i <= _n; _i++) _out = _out (_i > 1 ? osep : "") (_q ? "\"" _part[_i] "\"" : _part[_i])
        return _out
    }
    _k = 0
    for (_i = 1; _i <= _m; _i++) {
        _idx = strtonum(_want[_i])
        if (_idx < 0) _idx = _n + 1 + _idx
        if (_idx < 1 || _idx > _n) continue
        _out = _out (_k++ ? osep : "") (_q ? "\"" _part[_idx] "\"" : _part[_idx])
    }
    return _out
}

function splitc(val, num, osep) { return t2split(val, "_", num, osep) }
function splitr(val, num, osep) { return t2split(val, ";", num, osep) }
