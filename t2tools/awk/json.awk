# json([s]): prints the row (or the OFS-separated values of s) as one JSON object per line,
#     named by the column names (with s: by the values s has on the header row; "colN" where
#     none is known). T2's quoted strings become JSON strings, decimal numbers stay numbers,
#     everything else (0x bit fields, addresses) becomes a string.
#
# Examples:
#   tawk 'json()' f_flows.txt
#   tawk 'dport(53) { json(tuple5()) }' f_flows.txt
#   tawk 'aggr($srcIP, $l7BytesSnt)' f_flows.txt | tawk 'json()'

function json(s,        _n, _v, _i, _out, _name, _whole) {
    _whole = (s == "")
    if (_whole) s = $0
    _n = split(s, _v, _whole ? FS : OFS)
    if (hdr()) {
        if (!_whole) for (_i = 1; _i <= _n; _i++) _t2_json_name[_i] = _v[_i]
        return
    }
    _out = "{"
    for (_i = 1; _i <= _n; _i++) {
        if (_whole && (_i in _t2_colname)) _name = _t2_colname[_i]
        else if (!_whole && (_i in _t2_json_name)) _name = _t2_json_name[_i]
        else _name = "col" _i
        _out = _out (_i > 1 ? "," : "") _t2_json_str(_name) ":" _t2_json_val(_v[_i])
    }
    print _out "}"
}

function _t2_json_val(v) {
    if (v ~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) return v
    return _t2_json_str(_t2_unquote(v))
}

function _t2_json_str(s) {
    gsub(/\\/, "\\\\", s)
    gsub(/"/, "\\\"", s)
    gsub(/\t/, "\\t", s)
    gsub(/\n/, "\\n", s)
    gsub(/\r/, "\\r", s)
    return "\"" s "\""
}
