# port([p]): true if the source or the destination port is in p
# sport([p]), dport([p]): the same for the source or the destination port only
# flow([f]): true if the flow index (flowInd) is in f
#
# p and f are a number or a list of numbers and LOW-HIGH ranges separated by ';' or ','
# ("53;80;6000-6008"). Without an argument the functions return the value(s) (both ports for
# port()). On the header row they are true.
#
# Examples:
#   tawk 'dport(53)' f_flows.txt                 # DNS
#   tawk 'port("80;443;8000-8080")' f_flows.txt
#   tawk 'flow("1-3")' f_flows.txt

function port(p) {
    if (p == "" || (__PRIHDR__ && hdr())) return sport() OFS dport()
    return sport(p) || dport(p)
}

function sport(p,        _c) {
    _c = _t2_col("srcPort", "sport")
    if (p == "" || (__PRIHDR__ && hdr())) return $_c
    return _t2_inlist($_c, p)
}

function dport(p,        _c) {
    _c = _t2_col("dstPort", "dport")
    if (p == "" || (__PRIHDR__ && hdr())) return $_c
    return _t2_inlist($_c, p)
}

function flow(f,        _c) {
    _c = _t2_col("flowInd", "flow")
    if (f == "" || (__PRIHDR__ && hdr())) return $_c
    return _t2_inlist($_c, f)
}
