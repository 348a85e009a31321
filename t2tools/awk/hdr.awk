# hdr(): true on the row with the column names (the header), so that filters can keep it.
# not(q): the negation of the query q that keeps the header: not(tcp()) is every non-TCP flow.
#
# Filters made of the functions that look at columns (host(), port(), proto(), tcp(),
# ipv4(), tcpflags("S"), ...) are true on the header row by themselves, unless -H is given.
#
# Examples:
#   tawk 'hdr() || $l4Proto == 1' f_flows.txt     # ICMP flows, header kept
#   tawk '!hdr() { n++ } END { print n }' f_flows.txt
#   tawk 'not(port(53))' f_flows.txt               # everything but DNS, header kept

function hdr() {
    return __HDRROW__ > 0 && FNR == __HDRROW__
}

function not(q) {
    return (__PRIHDR__ && hdr()) || !q
}
