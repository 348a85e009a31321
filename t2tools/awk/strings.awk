# streq(a, b[, ign]): true if a equals b (ign = 1: ignoring case); T2's surrounding quotes
#     do not count: streq($srcIPOrg, "Private network") works
# streqi(a, b), strneq(a, b), strneqi(a, b): ignoring case, not equal, not equal ignoring case
# contains(val, txt[, ign]), containsi(val, txt): true if val contains txt
# hasprefix(val, pre), hassuffix(val, suf): true if val starts with pre, ends with suf
# isset(val): true if val is neither empty nor "" (an empty T2 string)
# unquote(s): s without its surrounding double quotes
#
# Examples:
#   tawk 'streq($srcIP, $dstIP)' f_flows.txt
#   tawk 'containsi($hdrDesc, "vlan")' f_flows.txt
#   tawk '!isset($vlanID)' f_flows.txt

function streq(a, b, ign) {
    a = _t2_unquote(a)
    b = _t2_unquote(b)
    return ign ? tolower(a) == tolower(b) : a == b
}

function streqi(a, b) { return streq(a, b, 1) }
function strneq(a, b) { return !streq(a, b) }
function strneqi(a, b) { return !streq(a, b, 1) }

function contains(val, txt, ign) {
    val = _t2_unquote(val)
    txt = _t2_unquote(txt)
    return ign ? index(tolower(val), tolower(txt)) > 0 : index(val, txt) > 0
}

function containsi(val, txt) { return contains(val, txt, 1) }

function hasprefix(val, pre) {
    val = _t2_unquote(val)
    return substr(val, 1, length(pre)) == pre
}

function hassuffix(val, suf) {
    val = _t2_unquote(val)
    return length(val) >= length(suf) && substr(val, length(val) - length(suf) + 1) == suf
}

function isset(val) {
    return val != "" && val != "\"\""
}

function unquote(s) {
    return _t2_unquote(s)
}
