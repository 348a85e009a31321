# tcpflags([val]): the flow's TCP flags (the tcpFlags column) as 8 letters, a '.' for each flag
#     not seen, in the order F S R P A U E W (FIN SYN RST PSH ACK URG ECE CWR), e.g. .S..A...;
#     with val, true if the flags in val were seen and those after a '!' were not
#     ("S!FR": SYN, but neither FIN nor RST). On the header row: the column name, or true.
#
# Examples:
#   tawk 'tcpflags("S!A")' f_flows.txt               # SYN without ACK: no answer
#   tawk '{ print tcpflags() }' f_flows.txt | sortu

function tcpflags(val,        _c, _f, _i, _out, _not, _ch, _bit) {
    _c = _t2_col("tcpFlags", "tcpflags")
    if (__PRIHDR__ && hdr()) return val == "" ? $_c : 1
    _f = and(strtonum($_c), 255)
    if (val == "") {
        _out = ""
        for (_i = 0; _i < 8; _i++) {
            _out = _out (and(_f, 2 ^ _i) ? substr("FSRPAUEW", _i + 1, 1) : ".")
        }
        return _out
    }
    _not = 0
    for (_i = 1; _i <= length(val); _i++) {
        _ch = toupper(substr(val, _i, 1))
        if (_ch == "!") {
            _not = 1
            continue
        }
        _bit = index("FSRPAUEW", _ch)
        if (_bit == 0) _t2_die("tcpflags(): unknown flag '" _ch "' (one of F S R P A U E W, ! for absent)")
        if ((and(_f, 2 ^ (_bit - 1)) != 0) == _not) return 0
    }
    return 1
}
