# tuple2(): srcIP, dstIP
# tuple3(): srcIP, dstIP, dstPort
# tuple4(): srcIP, srcPort, dstIP, dstPort
# tuple5(): srcIP, srcPort, dstIP, dstPort, l4Proto
# tuple6(): srcIP, srcPort, dstIP, dstPort, l4Proto, vlanID
#
# The flow's address tuple, separated by OFS (on the header row: the column names).
#
# Examples:
#   tawk '{ print tuple5() }' f_flows.txt
#   tawk 'aggr(tuple2())' f_flows.txt          # flows per address pair

function tuple2() {
    return $_t2_col("srcIP", "tuple2") OFS $_t2_col("dstIP", "tuple2")
}

function tuple3() {
    return tuple2() OFS $_t2_col("dstPort", "tuple3")
}

function tuple4() {
    return $_t2_col("srcIP", "tuple4") OFS $_t2_col("srcPort", "tuple4") OFS \
        $_t2_col("dstIP", "tuple4") OFS $_t2_col("dstPort", "tuple4")
}

function tuple5() {
    return tuple4() OFS $_t2_col("l4Proto", "tuple5")
}

function tuple6() {
    return tuple5() OFS $_t2_col("vlanID", "tuple6")
}
