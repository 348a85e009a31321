# utc(t): the time stamp t (seconds since 1970, with a fraction) as an ISO 8601 date in UTC:
#     2011-03-18T19:06:07.096535000Z (the fraction as in t)
# localtime(t): the same in the local time zone, with its offset: ...07.096535000+0100
#
# What is not a time stamp (the header row) is returned unchanged.
#
# Examples:
#   tawk '{ print utc($timeFirst), tuple2() }' f_flows.txt
#   tawk '{ $timeFirst = localtime($timeFirst); print }' f_flows.txt

function utc(t) { return _t2_time(t, 1) }
function localtime(t) { return _t2_time(t, 0) }

function _t2_time(t, utc,        _sec, _frac, _s) {
    if (t !~ /^[0-9]+(\.[0-9]*)?$/) return t
    _sec = t
    _frac = ""
    if (index(t, ".")) {
        _sec = substr(t, 1, index(t, ".") - 1)
        _frac = substr(t, index(t, "."))
    }
    _s = strftime("%Y-%m-%dT%H:%M:%S", _sec, utc) _frac
    return _s (utc ? "Z" : strftime("%z", _sec))
}
