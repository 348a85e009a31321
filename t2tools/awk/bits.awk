# bitsanyset(val, mask): true if one of the bits set in mask is set in val
# bitsallset(val, mask): true if all the bits set in mask are set in val
# bfeq(val1, val2): true if the bit fields val1 and val2 are equal
#
# Values and masks are 0x hex strings (as T2 writes bit fields) or numbers; 64-bit fields such
# as flowStat stay exact. `tawk -V NAME` lists what each bit of a column means.
#
# Examples:
#   tawk 'bitsanyset($flowStat, 0x0000001000000000)' f_flows.txt     # IPv4 fragments
#   tawk 'bitsallset($tcpFlags, 0x0012)' f_flows.txt                 # SYN and ACK seen
#   tawk 'bitsanyset($tcpAnomaly, 0x3000) { print tuple4() }' f_flows.txt   # scans

function bitsanyset(val, mask,        _v, _m, _i) {
    _v = _t2_hex(val)
    _m = _t2_hex(mask)
    for (_i = 1; _i <= length(_m); _i++) {
        if (and(_t2_nibble(_v, _i), _t2_nibble(_m, _i))) return 1
    }
    return 0
}

function bitsallset(val, mask,        _v, _m, _i, _mn) {
    _v = _t2_hex(val)
    _m = _t2_hex(mask)
    for (_i = 1; _i <= length(_m); _i++) {
        _mn = _t2_nibble(_m, _i)
        if (and(_t2_nibble(_v, _i), _mn) != _mn) return 0
    }
    return 1
}

function bfeq(val1, val2,        _a, _b) {
    _a = _t2_hex(val1)
    _b = _t2_hex(val2)
    sub(/^0+/, "", _a)
    sub(/^0+/, "", _b)
    return _a == _b
}
