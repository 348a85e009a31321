# hrnum(num[, mode[, suffix]]): num in human-readable form, in steps of 1000: 5512362 is
#     "5.51 M" (mode 0, the default), "5512362 (5.51 M)" (mode 1) or unchanged (mode 2); suffix
#     follows the unit letter ("B": 5.51 MB). Numbers below 1000, and what is no number, are
#     returned unchanged.
#
# Examples:
#   tawk '{ print $srcIP, hrnum($l7BytesSnt, 0, "B") }' f_flows.txt

function hrnum(num, mode, suffix,        _v, _i, _s) {
    if (mode == 2 || num !~ /^[0-9]+(\.[0-9]*)?$/) return num
    _v = num + 0
    if (_v < 1000) return num
    for (_i = 0; _v >= 1000 && _i < 8; _i++) _v /= 1000
    _s = (_v == int(_v) ? sprintf("%d", _v) : sprintf("%.2f", _v)) " " substr("KMGTPEZY", _i, 1) suffix
    return mode == 1 ? num " (" _s ")" : _s
}
