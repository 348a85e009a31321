# wildcard(expr): the values of every column whose name matches the regular expression expr,
#     separated by OFS (on the header row: their names); "!expr": every column whose name does
#     not match.
#
# Examples:
#   tawk '{ print wildcard("^tcp") }' f_flows.txt
#   tawk '{ print wildcard("!^(tcp|ip)") }' f_flows.txt
#   tawk 'wildcard("^dns") ~ /example/' f_flows.txt

function wildcard(expr,        _neg, _i, _out, _k) {
    _neg = (substr(expr, 1, 1) == "!")
    if (_neg) expr = substr(expr, 2)
    _out = ""
    _k = 0
    for (_i = 1; _i <= NF; _i++) {
        if (!(_i in _t2_colname)) continue
        if ((_t2_colname[_i] ~ expr) != _neg) _out = _out (_k++ ? OFS : "") $_i
    }
    return _out
}
